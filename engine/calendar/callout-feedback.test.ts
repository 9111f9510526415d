import t from 'tap';
import { AlertBoard, alertsMax } from './alert-board.ts';
import { calloutTasks } from './callout.ts';
import { clinicAlerts, outboxItems } from './calendar-queries.ts';
import { CalendarHarness, checkSnapshotAndReplay, otherTherapist, pediatrician, rejectionOf, slot, therapist, today, tomorrow } from './calendar-test-kit.ts';
import { Outbox, outboxItemsMax, type OutboxItem } from './outbox.ts';

function record(h: CalendarHarness, appointmentId: string, result: string, attempt: number, by = 'partner:robot') {
  return h.submit({ type: 'RecordCalloutResult', appointmentId, result: result as never, attempt, talkSeconds: 12 }, by);
}

t.test('call-out tasks: tomorrow by default, booked ones with attempts left, the template filled in', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(slot(therapist, tomorrow, '08:00'), 'operator:test', { services: ['Приём терапевта', 'ЭКГ'] });
  const b = h.booked(slot(otherTherapist, tomorrow, '09:30'));
  const c = h.booked(slot(pediatrician, tomorrow, '08:20'));
  const elsewhere = h.booked(slot('gp2-d1', tomorrow, '08:00'));
  h.booked(slot(therapist, today, '11:00'));
  h.booked(slot(therapist, '2026-11-25', '08:00'));

  const tasks = calloutTasks(h.read, { at: h.clock.now(), clinicId: 'gp1' });
  t.same(tasks.map((task) => task.appointmentId).sort(), [a.id, b.id, c.id].sort(), 'tomorrow, this clinic only');
  const first = tasks.find((task) => task.appointmentId === a.id);
  t.same(first?.fields, {
    patient: a.patient.name, date: tomorrow, time: '08:00', doctor: 'Иванова А. И.', specialty: 'therapist', services: 'Приём терапевта, ЭКГ',
    clinic: 'Городская поликлиника № 1', address: 'г. Ярославль, ул. Свободы, 10', clinicPhone: '+74852100001',
  });
  t.match(first, { phone: a.patient.phone, attempts: 0, lastResult: null });
  t.equal(first?.message, `Hello ${a.patient.name}. You are booked to therapist Иванова А. И. at Городская поликлиника № 1, г. Ярославль, ул. Свободы, 10, for Приём терапевта, ЭКГ at 08:00 ${tomorrow}. Will you come? Phone: +74852100001.`);
  t.equal(calloutTasks(h.read, { at: h.clock.now() }).length, 4, 'every clinic without a filter');
  t.ok(calloutTasks(h.read, { at: h.clock.now(), date: '2026-11-25' }).length === 1, 'another date');

  t.match(record(h, a.id, 'confirmed', 1), { ok: true, reply: { changed: true, status: 'confirmed', attempts: 1 } });
  t.match(record(h, b.id, 'declined', 1), { ok: true, reply: { status: 'declined' } });
  t.equal(h.doctor(otherTherapist).calendar.slot(b.slotId)?.appointmentId, undefined, 'declined frees the slot');
  t.match(record(h, c.id, 'busy', 1), { ok: true, reply: { status: 'booked', attempts: 1 } });
  record(h, c.id, 'no_answer', 2);
  let left = calloutTasks(h.read, { at: h.clock.now(), clinicId: 'gp1' });
  t.same(left.map((task) => [task.appointmentId, task.attempts, task.lastResult]), [[c.id, 2, 'no_answer']], 'settled ones leave the list');
  record(h, c.id, 'failed', 3);
  left = calloutTasks(h.read, { at: h.clock.now(), clinicId: 'gp1' });
  t.same(left, [], 'no attempts left after the default 3');
  t.equal(calloutTasks(h.read, { at: h.clock.now(), clinicId: 'gp2' })[0]?.appointmentId, elsewhere.id);
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('a repeated result (same appointment, same attempt) changes nothing', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(slot(therapist, tomorrow, '08:00'));
  record(h, a.id, 'busy', 1);
  const repeat = record(h, a.id, 'busy', 1);
  t.match(repeat, { ok: true, reply: { changed: false, attempts: 1 } });
  t.same(repeat.events, [], 'no event');
  const conflicting = record(h, a.id, 'confirmed', 1);
  t.match(conflicting, { ok: true, reply: { changed: false, status: 'booked' } }, 'even with another result: the first one stands');
  record(h, a.id, 'declined', 2);
  t.match(record(h, a.id, 'declined', 2), { ok: true, reply: { changed: false, status: 'declined' } }, 'a retried upload after settling is still accepted');
  t.equal(rejectionOf(record(h, a.id, 'confirmed', 3)).code, 'illegal_transition', 'a new result after declining is refused');
  t.equal(h.doctor(therapist).appointments.get(a.id)?.callout.length, 2);
  t.end();
});

t.test('call-out result rejections', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(slot(therapist, tomorrow, '08:00'));
  t.equal(rejectionOf(record(h, a.id, 'maybe', 1)).field, '/result');
  t.equal(rejectionOf(record(h, a.id, 'busy', 0)).field, '/attempt');
  t.equal(rejectionOf(record(h, a.id, 'busy', 11)).field, '/attempt');
  t.equal(rejectionOf(h.submit({ type: 'RecordCalloutResult', appointmentId: a.id, result: 'busy', attempt: 1, talkSeconds: -1 })).field, '/talkSeconds');
  t.equal(rejectionOf(record(h, `${therapist}.nope`, 'busy', 1)).code, 'not_found');
  h.submit({ type: 'CancelAppointment', appointmentId: a.id });
  t.equal(rejectionOf(record(h, a.id, 'confirmed', 1)).code, 'illegal_transition', 'a cancelled appointment takes no results');
  t.end();
});

t.test('call-out settings: template and attempts per clinic', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(slot(therapist, tomorrow, '08:00'));
  const updated = h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { calloutTemplate: '[patient], [date] [time], [doctor], [clinicPhone]', calloutAttemptsMax: 1 } });
  t.ok(updated.ok);
  t.equal(calloutTasks(h.read, { at: h.clock.now(), clinicId: 'gp1' })[0]?.message, `${a.patient.name}, ${tomorrow} 08:00, Иванова А. И., +74852100001`);
  record(h, a.id, 'busy', 1);
  t.same(calloutTasks(h.read, { at: h.clock.now(), clinicId: 'gp1' }), [], 'one attempt allowed');
  t.equal(rejectionOf(h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { calloutTemplate: 'Hi [name]' } })).field, '/settings/calloutTemplate');
  t.equal(rejectionOf(h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { calloutAttemptsMax: 11 } })).field, '/settings/calloutAttemptsMax');
  t.equal(rejectionOf(h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { holdTtlMinutes: 0 } })).field, '/settings/holdTtlMinutes');
  t.ok(h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { holdTtlMinutes: 10 } }).ok);
  const held = h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, '09:00') });
  t.equal(held.ok ? held.reply['expiresAt'] : 0, h.clock.now() + 10 * 60_000, 'the hold time reaches the doctors');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('feedback after a completed visit; a low rating raises an alert the operator acknowledges', (t) => {
  const h = new CalendarHarness();
  const happy = h.booked(slot(therapist, today, '09:30'));
  const unhappy = h.booked(slot(therapist, today, '09:45'));
  t.equal(rejectionOf(h.submit({ type: 'GiveFeedback', appointmentId: happy.id, rating: 5 })).code, 'illegal_transition', 'not before the visit');
  for (const a of [happy, unhappy]) {
    h.submit({ type: 'CheckInAppointment', appointmentId: a.id });
    h.submit({ type: 'CallNextPatient', doctorId: therapist });
    h.submit({ type: 'CompleteAppointment', appointmentId: a.id });
  }
  t.equal(rejectionOf(h.submit({ type: 'GiveFeedback', appointmentId: happy.id, rating: 0 })).field, '/rating');
  t.equal(rejectionOf(h.submit({ type: 'GiveFeedback', appointmentId: happy.id, rating: 4.5 })).field, '/rating');
  t.equal(rejectionOf(h.submit({ type: 'GiveFeedback', appointmentId: happy.id, rating: 4, comment: 'x'.repeat(2001) })).field, '/comment');
  t.match(h.submit({ type: 'GiveFeedback', appointmentId: happy.id, rating: 5, comment: 'Спасибо' }, 'partner:portal'), {
    ok: true, reply: { feedback: { rating: 5, comment: 'Спасибо', by: 'partner:portal' } },
  });
  t.same(clinicAlerts(h.read, 'gp1'), [], 'a good rating raises nothing');
  t.ok(h.submit({ type: 'GiveFeedback', appointmentId: unhappy.id, rating: 2, comment: 'Долго ждал' }).ok);
  const alerts = clinicAlerts(h.read, 'gp1', true);
  t.match(alerts, [{ appointmentId: unhappy.id, doctorId: therapist, patientId: unhappy.patient.id, rating: 2, comment: 'Долго ждал', clinicId: 'gp1' }]);
  t.same(h.submit({ type: 'GiveFeedback', appointmentId: unhappy.id, rating: 2, comment: 'Долго ждал' }).events, [], 'the same feedback again changes nothing');
  t.equal(rejectionOf(h.submit({ type: 'GiveFeedback', appointmentId: unhappy.id, rating: 1 })).code, 'rule_broken', 'one feedback per visit');
  const alertId = alerts[0]?.id ?? '';
  t.match(h.submit({ type: 'AcknowledgeAlert', alertId }, 'operator:head'), { ok: true, reply: { acknowledgedBy: 'operator:head' } });
  t.same(clinicAlerts(h.read, 'gp1', true), [], 'no open alert left');
  t.equal(h.read.clinic('gp1')?.calendar.alerts.openCount, 0);
  t.same(h.submit({ type: 'AcknowledgeAlert', alertId }, 'operator:other').events, [], 'acknowledging twice changes nothing');
  t.equal(rejectionOf(h.submit({ type: 'AcknowledgeAlert', alertId: 'gp1.nope' })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'AcknowledgeAlert', alertId: 'nodot' })).code, 'not_found');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('the outbox: notices and reminders queue with sequence numbers; an ack removes delivered items', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(slot(therapist, '2026-11-25', '08:00'));
  h.booked(slot(therapist, '2026-11-25', '08:15'));
  h.submit({ type: 'CancelAppointment', appointmentId: a.id });
  h.moveTo(tomorrow, '00:00');
  const items = outboxItems(h.read, 'gp1');
  t.same(items.map((item) => [item.seq, item.kind]), [
    [1, 'appointment_booked'], [2, 'appointment_booked'], [3, 'appointment_cancelled'], [4, 'appointment_reminder'],
  ], 'the midnight roll queues reminders for tomorrow, live appointments only');
  t.equal(items[3]?.notBefore, h.at(tomorrow, '10:00'), 'reminders go out from 10:00');
  t.same(outboxItems(h.read, 'gp1', 2).map((item) => item.seq), [3, 4], 'a page after a sequence number');
  t.match(h.submit({ type: 'AckOutbox', clinicId: 'gp1', throughSeq: 2 }), { ok: true, reply: { removed: 2, remaining: 2 } });
  t.same(outboxItems(h.read, 'gp1').map((item) => item.seq), [3, 4]);
  t.same(h.submit({ type: 'AckOutbox', clinicId: 'gp1', throughSeq: 2 }).events, [], 'a repeated ack changes nothing');
  t.equal(rejectionOf(h.submit({ type: 'AckOutbox', clinicId: 'gp1', throughSeq: 5 })).field, '/throughSeq');
  checkSnapshotAndReplay(t, h, 'the outbox survives: ');
  t.end();
});

t.test(`the outbox keeps at most ${outboxItemsMax} items, dropping the oldest and counting them`, (t) => {
  const outbox = new Outbox();
  const item = (seq: number): OutboxItem => ({
    seq, kind: 'appointment_booked', appointmentId: 'd.1', patientId: 'p', phone: '+7', at: 0,
    fields: { patient: '', date: '', time: '', doctor: '', specialty: '', services: '', clinic: '', address: '', clinicPhone: '' },
  });
  for (let seq = 1; seq <= outboxItemsMax + 2; seq += 1) outbox.push(item(seq));
  t.equal(outbox.items.length, outboxItemsMax);
  t.equal(outbox.droppedCount, 2);
  t.equal(outbox.items[0]?.seq, 3);
  t.same(Outbox.fromSnapshot(outbox.toSnapshot()).toSnapshot(), outbox.toSnapshot());
  t.end();
});

t.test(`the alert board keeps at most ${alertsMax} alerts, acknowledged ones leaving first`, (t) => {
  const board = new AlertBoard();
  const alert = (n: number) => ({ id: `c.${n}`, clinicId: 'c', appointmentId: 'd.1', doctorId: 'd', patientId: 'p', patientName: 'P', rating: 1, at: n });
  for (let n = 1; n <= alertsMax; n += 1) board.raise(alert(n));
  board.acknowledge('c.500', 1, 'operator:x');
  board.raise(alert(alertsMax + 1));
  t.equal(board.alerts.size, alertsMax);
  t.notOk(board.alerts.has('c.500'), 'the acknowledged one went');
  board.raise(alert(alertsMax + 2));
  t.notOk(board.alerts.has('c.1'), 'then the oldest open one');
  t.equal(board.openCount, alertsMax);
  t.end();
});
