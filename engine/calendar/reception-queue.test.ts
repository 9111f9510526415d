import t from 'tap';
import { doctorQueue, queuePositionOf } from './calendar-queries.ts';
import { CalendarHarness, checkSnapshotAndReplay, otherTherapist, rejectionOf, slot, therapist, today, tomorrow } from './calendar-test-kit.ts';

function queueNumberOf(result: ReturnType<CalendarHarness['submit']>): unknown {
  return result.ok ? result.reply['queueNumber'] : undefined;
}

t.test('check-in numbers, queue order by appointment time, call next, complete', (t) => {
  const h = new CalendarHarness();
  const early = h.booked(slot(therapist, today, '09:30'));
  const middle = h.booked(slot(therapist, today, '09:45'));
  const late = h.booked(slot(therapist, today, '10:00'));
  const colleague = h.booked(slot(otherTherapist, today, '10:00'));

  t.equal(queueNumberOf(h.submit({ type: 'CheckInAppointment', appointmentId: late.id })), 1, 'numbers follow arrival');
  t.equal(queueNumberOf(h.submit({ type: 'CheckInAppointment', appointmentId: early.id })), 2);
  t.equal(queueNumberOf(h.submit({ type: 'CheckInAppointment', appointmentId: middle.id })), 3);
  t.equal(queueNumberOf(h.submit({ type: 'CheckInAppointment', appointmentId: colleague.id })), 1, 'numbers are per doctor');
  t.equal(rejectionOf(h.submit({ type: 'CheckInAppointment', appointmentId: early.id })).code, 'illegal_transition', 'checked in once');

  const queue = doctorQueue(h.read, therapist, h.clock.now());
  t.same(queue?.cabinet, { state: 'free' });
  t.same(queue?.waiting.map((entry) => [entry.appointmentId, entry.queueNumber, entry.position, entry.expectedWaitMinutes]), [
    [early.id, 2, 1, 0],
    [middle.id, 3, 2, 15],
    [late.id, 1, 3, 30],
  ], 'ordered by appointment time, not arrival; the wait adds up slot lengths');

  const called = h.submit({ type: 'CallNextPatient', doctorId: therapist });
  t.match(called.ok ? called.reply : {}, { id: early.id, status: 'in_service' });
  t.equal(rejectionOf(h.submit({ type: 'CallNextPatient', doctorId: therapist })).code, 'rule_broken', 'the cabinet is busy');
  h.advanceMinutes(5);
  const busy = doctorQueue(h.read, therapist, h.clock.now());
  t.same(busy?.cabinet, { state: 'busy', cabinet: '101', appointmentId: early.id });
  t.same(queuePositionOf(h.read, middle.id, h.clock.now()), {
    appointmentId: middle.id, queueNumber: 3, patientName: middle.patient.name, startAt: middle.startAt, position: 1, expectedWaitMinutes: 10,
  }, 'the visit in service is expected to take its slot');
  t.equal(queuePositionOf(h.read, early.id, h.clock.now()), undefined, 'in service is no longer waiting');

  t.equal(rejectionOf(h.submit({ type: 'CompleteAppointment', appointmentId: middle.id })).code, 'illegal_transition', 'only the one in service completes');
  const done = h.submit({ type: 'CompleteAppointment', appointmentId: early.id });
  t.match(done.ok ? done.reply : {}, { status: 'completed' });
  t.same(doctorQueue(h.read, therapist, h.clock.now())?.cabinet, { state: 'free' }, 'completing frees the cabinet');
  t.equal(h.doctor(therapist).calendar.slot(early.slotId)?.appointmentId, early.id, 'a completed visit keeps its slot as a record');

  t.ok(h.submit({ type: 'CancelAppointment', appointmentId: middle.id }).ok, 'a waiting patient may leave');
  t.same(doctorQueue(h.read, therapist, h.clock.now())?.waiting.map((entry) => entry.appointmentId), [late.id]);
  t.match(h.submit({ type: 'CallNextPatient', doctorId: therapist }), { ok: true, reply: { id: late.id } });
  h.submit({ type: 'CompleteAppointment', appointmentId: late.id });
  t.equal(rejectionOf(h.submit({ type: 'CallNextPatient', doctorId: therapist })).message, 'no patient is waiting');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('queue numbers start again each day and are unique within it', (t) => {
  const h = new CalendarHarness();
  const todays = h.booked(slot(therapist, today, '11:00'));
  const tomorrows = [h.booked(slot(therapist, tomorrow, '08:00')), h.booked(slot(therapist, tomorrow, '08:15'))];
  // Check-in opens an hour before the appointment (the default window).
  h.moveTo(today, '10:00');
  t.equal(queueNumberOf(h.submit({ type: 'CheckInAppointment', appointmentId: todays.id })), 1);
  t.equal(rejectionOf(h.submit({ type: 'CheckInAppointment', appointmentId: tomorrows[0]!.id })).code, 'rule_broken', 'check-in only on the day');
  h.moveTo(tomorrow, '07:50');
  t.same(
    tomorrows.map((a) => queueNumberOf(h.submit({ type: 'CheckInAppointment', appointmentId: a.id }))),
    [1, 2],
  );
  t.same(h.doctor(therapist).appointments.queueSeqByDate.get(today), undefined, 'yesterday’s counter is dropped on the roll');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('no-show only once the time has come; check-in refused on a stopped day', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(slot(therapist, today, '09:30'));
  t.equal(rejectionOf(h.submit({ type: 'MarkNoShow', appointmentId: a.id })).code, 'rule_broken');
  h.advanceMinutes(31);
  t.match(h.submit({ type: 'MarkNoShow', appointmentId: a.id }), { ok: true, reply: { status: 'no_show' } });
  t.equal(rejectionOf(h.submit({ type: 'CheckInAppointment', appointmentId: a.id })).code, 'illegal_transition');
  const b = h.booked(slot(therapist, today, '11:00'));
  h.submit({ type: 'AddCalendarException', doctorId: therapist, exception: { kind: 'sick_day', from: today, to: today } });
  t.equal(rejectionOf(h.submit({ type: 'CheckInAppointment', appointmentId: b.id })).code, 'rule_broken');
  t.equal(rejectionOf(h.submit({ type: 'CheckInAppointment', appointmentId: `${therapist}.nope` })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'CallNextPatient', doctorId: 'ghost' })).code, 'not_found');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('check-in opens checkInOpensMinutesBefore (default 60) before the appointment, with the time it opens', (t) => {
  const h = new CalendarHarness();
  const visit = h.booked(slot(therapist, today, '11:00'));
  const early = rejectionOf(h.submit({ type: 'CheckInAppointment', appointmentId: visit.id }));
  t.equal(early.code, 'rule_broken', 'two hours ahead is refused');
  t.equal(early.message, 'check-in opens 60 minutes before the appointment: at 10:00 for the one at 11:00');
  t.match(early, { details: { rule: 'check_in_window', opensAt: '10:00', startsAt: '11:00', windowMinutes: '60' } }, 'with the local opening time for the desk');
  h.moveTo(today, '09:59');
  t.equal(rejectionOf(h.submit({ type: 'CheckInAppointment', appointmentId: visit.id })).code, 'rule_broken', 'a minute before the window is still refused');
  h.moveTo(today, '10:00');
  t.equal(queueNumberOf(h.submit({ type: 'CheckInAppointment', appointmentId: visit.id })), 1, 'at the opening minute it is taken');

  // A clinic widens the window; its doctors get the new value and the rule follows it.
  const settings = h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { checkInOpensMinutesBefore: 180 } }, 'admin:test');
  t.ok(settings.ok, 'the clinic sets a three-hour window');
  const later = h.booked(slot(therapist, today, '11:45'));
  t.equal(queueNumberOf(h.submit({ type: 'CheckInAppointment', appointmentId: later.id })), 2, 'now 1 h 45 min ahead is within the window');
  for (const bad of [0, -5, 721, 1.5]) {
    const refused = rejectionOf(h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { checkInOpensMinutesBefore: bad } }, 'admin:test'));
    t.match(refused, { code: 'invalid', field: '/settings/checkInOpensMinutesBefore' }, `${bad} is refused`);
  }
  checkSnapshotAndReplay(t, h);
  t.end();
});
