import t from 'tap';
import { appointmentOf } from './calendar-queries.ts';
import type { AppointmentView } from './appointment.ts';
import {
  CalendarHarness, checkSnapshotAndReplay, otherTherapist, pediatrician, rejectionOf, slot, therapist, tomorrow,
} from './calendar-test-kit.ts';

const from = slot(therapist, tomorrow, '08:00');

t.test('reschedule within one doctor: one event, the old slot is free, the new one booked', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(from);
  h.submit({ type: 'ConfirmAppointment', appointmentId: a.id });
  const to = slot(therapist, tomorrow, '10:00');
  const result = h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: to });
  t.ok(result.ok);
  t.same(result.events.map((record) => record.event.type).filter((type) => type.startsWith('Appointment')), ['AppointmentRescheduled']);
  const reply = (result.ok ? result.reply : {}) as unknown as AppointmentView;
  t.match(reply, { id: a.id, slotId: to, status: 'confirmed', reschedules: 1 });
  const calendar = h.doctor(therapist).calendar;
  t.equal(calendar.slot(from)?.appointmentId, undefined, 'the old slot is free');
  t.equal(calendar.slot(to)?.appointmentId, a.id, 'the new slot points back');
  t.equal(h.doctor(therapist).appointments.onDate(tomorrow).length, 1);
  t.ok(h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: to }).ok, 'moving to its own slot changes nothing');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('reschedule to another doctor: the appointment continues there; the old one points to it', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(from, 'operator:test', { services: ['Приём'] });
  h.submit({ type: 'ConfirmAppointment', appointmentId: a.id });
  const to = slot(otherTherapist, tomorrow, '09:30');
  const result = h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: to });
  t.ok(result.ok);
  t.same(
    result.events.map((record) => `${record.address} ${record.event.type}`).filter((line) => !line.includes('Notification')),
    [
      `doctor/${therapist} AppointmentMoveStarted`,
      `doctor/${otherTherapist} AppointmentBooked`,
      `doctor/${therapist} AppointmentMovedOut`,
    ],
    'lock at the source, commit at the target, release at the source',
  );
  const moved = (result.ok ? result.reply : {}) as unknown as AppointmentView;
  t.match(moved, { slotId: to, status: 'confirmed', movedFrom: a.id, reschedules: 1, services: ['Приём'], patient: a.patient });
  t.match(moved.id, new RegExp(`^${otherTherapist}\\.`), 'the new id embeds the new doctor');
  t.equal(moved.history.length, 3, 'the history travels with it');
  const old = appointmentOf(h.read, a.id);
  t.match(old, { status: 'cancelled', movedTo: { appointmentId: moved.id, slotId: to } });
  t.equal(old?.movingTo, undefined);
  t.equal(h.doctor(therapist).calendar.slot(from)?.appointmentId, undefined, 'the old slot is free');
  t.equal(h.doctor(otherTherapist).calendar.slot(to)?.appointmentId, moved.id);
  const again = rejectionOf(h.submit({ type: 'CancelAppointment', appointmentId: a.id }));
  t.same([again.code, again.message], ['illegal_transition', `the appointment moved to ${moved.id}`], 'the old id says where it went');
  t.ok(h.submit({ type: 'RescheduleAppointment', appointmentId: moved.id, slotId: slot(pediatrician, tomorrow, '08:20') }).ok, 'and it may move on');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('a refused move to another doctor changes nothing: the appointment keeps its slot and is unlocked', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(from);
  const taken = h.booked(slot(otherTherapist, tomorrow, '09:30'));
  const before = h.engine.snapshot();
  const refused = h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: taken.slotId });
  t.equal(rejectionOf(refused).code, 'conflict');
  t.same(refused.events.map((record) => record.event.type), ['AppointmentMoveStarted', 'AppointmentMoveAborted'], 'locked, then unlocked');
  t.same(h.engine.snapshot(), before, 'the state is as before');
  h.submit({ type: 'HoldSlot', slotId: slot(otherTherapist, tomorrow, '09:45') }, 'operator:other');
  t.equal(rejectionOf(h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: slot(otherTherapist, tomorrow, '09:45') })).code, 'conflict', 'held by another');
  t.ok(h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: slot(otherTherapist, tomorrow, '09:45') }, 'operator:other').ok, 'the holder may move into its hold');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('reschedule rejections', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(from);
  t.equal(rejectionOf(h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: 'ghost.20261124.0800' })).code, 'not_found', 'unknown target doctor');
  t.equal(rejectionOf(h.submit({ type: 'RescheduleAppointment', appointmentId: 'ghost.1', slotId: from })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'RescheduleAppointment', appointmentId: `${therapist}.nope`, slotId: from })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: `${therapist}.bad` })).code, 'invalid');
  t.equal(rejectionOf(h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: slot(therapist, tomorrow, '13:00') })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: slot(otherTherapist, tomorrow, '13:45') })).code, 'not_found', 'no such slot at the target');
  t.equal(h.doctor(therapist).appointments.get(a.id)?.movingTo, undefined, 'no lock is left behind');
  h.submit({ type: 'CancelAppointment', appointmentId: a.id });
  t.equal(rejectionOf(h.submit({ type: 'RescheduleAppointment', appointmentId: a.id, slotId: slot(therapist, tomorrow, '10:00') })).code, 'illegal_transition');
  t.end();
});

t.test('cancel frees the slot; confirm; illegal changes are refused', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(from);
  t.ok(h.submit({ type: 'ConfirmAppointment', appointmentId: a.id }).ok);
  t.equal(rejectionOf(h.submit({ type: 'ConfirmAppointment', appointmentId: a.id })).code, 'illegal_transition');
  const cancelled = h.submit({ type: 'CancelAppointment', appointmentId: a.id, reason: 'пациент заболел' });
  t.ok(cancelled.ok);
  t.match(cancelled.ok ? cancelled.reply : {}, { status: 'cancelled', history: [{ status: 'booked' }, { status: 'confirmed' }, { status: 'cancelled', note: 'пациент заболел' }] });
  t.equal(h.doctor(therapist).calendar.slot(from)?.appointmentId, undefined);
  t.ok(h.book(from).ok, 'the freed slot can be booked again');
  t.equal(rejectionOf(h.submit({ type: 'CancelAppointment', appointmentId: a.id })).code, 'illegal_transition');
  t.equal(rejectionOf(h.submit({ type: 'CancelAppointment', appointmentId: `${therapist}.zz` })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'CancelAppointment', appointmentId: 'nodot' })).code, 'not_found');
  checkSnapshotAndReplay(t, h);
  t.end();
});
