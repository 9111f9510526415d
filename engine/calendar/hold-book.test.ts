import t from 'tap';
import { holdsPerHolderMax } from './doctor-decide-support.ts';
import { listSlots } from './calendar-queries.ts';
import { CalendarHarness, checkSnapshotAndReplay, patient, rejectionOf, slot, therapist, today, tomorrow } from './calendar-test-kit.ts';

const s1 = slot(therapist, tomorrow, '08:00');

t.test('a hold makes the slot held for everyone; the holder renews and books it; others get 409, even with its id', (t) => {
  const h = new CalendarHarness();
  const held = h.submit({ type: 'HoldSlot', slotId: s1 }, 'operator:a');
  t.ok(held.ok);
  const reply = held.ok ? held.reply : {};
  t.equal(reply['expiresAt'], h.clock.now() + 5 * 60_000, 'default hold is 5 minutes');
  const holdId = String(reply['holdId']);
  const view = listSlots(h.read, { at: h.clock.now(), clinicId: 'gp1', doctorId: therapist, from: tomorrow, to: tomorrow }).slots[0];
  t.equal(view?.status, 'held', 'to others a held slot is not free');
  t.equal(listSlots(h.read, { at: h.clock.now(), clinicId: 'gp1', doctorId: therapist, from: tomorrow, to: tomorrow, viewer: 'operator:a' }).slots[0]?.heldByViewer, true);
  t.notOk(listSlots(h.read, { at: h.clock.now(), clinicId: 'gp1', doctorId: therapist, from: tomorrow, to: tomorrow, status: 'free' }).slots.some((s) => s.id === s1));

  const other = rejectionOf(h.submit({ type: 'HoldSlot', slotId: s1 }, 'operator:b'));
  t.equal(other.code, 'conflict', 'a second holder is refused');
  t.equal(rejectionOf(h.book(s1, 'operator:b')).code, 'conflict', 'another operator cannot book a held slot');
  t.equal(rejectionOf(h.book(s1, 'operator:b', { holdId: 'not-the-hold' })).code, 'conflict', 'nor with a wrong hold id');

  h.advanceMinutes(3);
  const renewed = h.submit({ type: 'HoldSlot', slotId: s1 }, 'operator:a');
  t.ok(renewed.ok && renewed.reply['holdId'] === holdId && renewed.reply['renewed'] === true, 'the holder renews the same hold');
  t.equal(renewed.ok ? renewed.reply['expiresAt'] : 0, h.clock.now() + 5 * 60_000);

  t.equal(rejectionOf(h.book(s1, 'partner:portal', { holdId })).code, 'conflict', 'the hold id grants nothing to another: only the holder books it');
  const booked = h.book(s1, 'operator:a', { holdId });
  t.ok(booked.ok, 'the holder books it with its hold id');
  t.equal(h.doctor(therapist).calendar.slot(s1)?.hold, undefined, 'booking releases the hold');
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: s1 }, 'operator:a')).code, 'conflict', 'a booked slot cannot be held');
  t.equal(rejectionOf(h.book(s1, 'operator:a')).code, 'conflict', 'a booked slot cannot be booked again');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('a hold ends at its deadline by the timer, exactly, also on replay', (t) => {
  const h = new CalendarHarness();
  h.submit({ type: 'HoldSlot', slotId: s1 }, 'operator:a');
  t.equal(h.engine.nextTimerAt(), h.clock.now() + 5 * 60_000, 'the hold deadline is the next timer');
  h.advanceMinutes(4);
  t.ok(h.doctor(therapist).calendar.slot(s1)?.hold, 'still held before the deadline');
  h.advanceMinutes(1);
  t.equal(h.doctor(therapist).calendar.slot(s1)?.hold, undefined, 'released at the deadline');
  const events = h.engine.takeEvents();
  const expired = events.filter((record) => record.event.type === 'HoldReleased');
  t.same(expired.map((record) => record.event), [{ type: 'HoldReleased', slotId: s1, holdId: 't1', reason: 'expired' }]);
  t.ok(h.submit({ type: 'HoldSlot', slotId: s1 }, 'operator:b').ok, 'free for the next holder');
  t.end();
});

t.test('a hold whose deadline passed no longer counts, even before its timer fires', (t) => {
  const h = new CalendarHarness();
  h.submit({ type: 'HoldSlot', slotId: s1 }, 'operator:a');
  h.clock.advance(6 * 60_000);
  t.ok(h.book(s1, 'operator:b').ok, 'the late hold does not block a booking');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('release by the holder; others cannot release, even with the hold id; releasing nothing is harmless', (t) => {
  const h = new CalendarHarness();
  const held = h.submit({ type: 'HoldSlot', slotId: s1 }, 'operator:a');
  const holdId = held.ok ? String(held.reply['holdId']) : '';
  t.equal(rejectionOf(h.submit({ type: 'ReleaseHold', slotId: s1 }, 'operator:b')).code, 'conflict');
  t.equal(rejectionOf(h.submit({ type: 'ReleaseHold', slotId: s1, holdId }, 'operator:b')).code, 'conflict', 'nor with the hold id: it is not theirs');
  const released = h.submit({ type: 'ReleaseHold', slotId: s1, holdId }, 'operator:a');
  t.ok(released.ok && released.reply['released'] === true, 'the holder releases it');
  const again = h.submit({ type: 'ReleaseHold', slotId: s1 }, 'operator:a');
  t.ok(again.ok && again.reply['released'] === false);
  t.equal(h.engine.nextTimerAt() !== undefined && h.engine.nextTimerAt()! > h.clock.now() + 5 * 60_000, true, 'no hold timer left');
  t.equal(rejectionOf(h.submit({ type: 'ReleaseHold', slotId: 'bad' })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'ReleaseHold', slotId: `${therapist}.20261124.0805` })).code, 'not_found');
  t.end();
});

t.test(`one holder holds at most ${holdsPerHolderMax} slots of a doctor`, (t) => {
  const h = new CalendarHarness();
  const times = ['08:00', '08:15', '08:30', '08:45', '09:00', '09:15'];
  for (const hhmm of times.slice(0, holdsPerHolderMax)) t.ok(h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, hhmm) }, 'partner:p').ok);
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, '09:15') }, 'partner:p')).code, 'rule_broken');
  t.ok(h.submit({ type: 'HoldSlot', slotId: slot('gp1-d3', tomorrow, '09:15') }, 'partner:p').ok, 'the bound is per doctor');
  h.advanceMinutes(5);
  t.ok(h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, '09:15') }, 'partner:p').ok, 'expired holds free the quota');
  t.end();
});

t.test('hold and booking rejections', (t) => {
  const h = new CalendarHarness();
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: slot(therapist, today, '08:30') })).code, 'rule_broken', 'a slot that began');
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, '13:00') })).code, 'not_found', 'outside working hours');
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: slot(therapist, '2027-03-01', '08:00') })).code, 'not_found', 'beyond the horizon');
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: 'nodots' })).code, 'not_found', 'no owner in the id');
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: 'ghost.20261124.0800' })).code, 'not_found', 'unknown doctor');
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: s1, holder: '' })).field, '/holder');
  t.equal(rejectionOf(h.book('gp1-d1.x')).field, '/slotId');
  t.equal(rejectionOf(h.book('ghost.20261124.0800')).code, 'not_found');
  t.equal(rejectionOf(h.book(s1, 'operator:test', { source: 'fax' as never })).field, '/source');
  t.equal(rejectionOf(h.book(s1, 'operator:test', { services: [''] })).field, '/services/0');
  t.equal(rejectionOf(h.book(s1, 'operator:test', { services: Array.from({ length: 21 }, () => 'x') })).field, '/services');
  t.equal(rejectionOf(h.book(s1, 'operator:test', { patient: patient({ phone: 'bad' }) })).field, '/patient/phone');
  const { phone: _phone, ...noPhone } = patient();
  t.equal(rejectionOf(h.book(s1, 'operator:test', { patient: noPhone })).field, '/patient/phone', 'a phone is required to book');
  t.equal(rejectionOf(h.book(slot(therapist, today, '08:30'))).code, 'rule_broken', 'a slot in the past');
  t.end();
});

t.test('patients are matched by policy, else by full name and phone, else created', (t) => {
  const h = new CalendarHarness();
  const first = patient({ surname: 'Орлова', name: 'Анна', patronymic: 'Петровна', sex: 'F' });
  const a = h.booked(slot(therapist, tomorrow, '08:00'), 'operator:test', { patient: first });
  const byPolicy = h.booked(slot(therapist, tomorrow, '08:15'), 'operator:test', { patient: { ...first, surname: 'Другая', phone: '+79990000001' } });
  t.equal(byPolicy.patient.id, a.patient.id, 'same policy, same patient');
  const { policy: _policy, ...withoutPolicy } = first;
  const byNamePhone = h.booked(slot(therapist, tomorrow, '08:30'), 'operator:test', { patient: { ...withoutPolicy, surname: 'орлова' } });
  t.equal(byNamePhone.patient.id, a.patient.id, 'same full name (any case) and phone, same patient');
  const other = h.booked(slot(therapist, tomorrow, '08:45'), 'operator:test', { patient: { ...withoutPolicy, phone: '+79990000002' } });
  t.not(other.patient.id, a.patient.id, 'same name, other phone and no policy: a new patient');
  const region = h.read.region();
  t.same(region.patients.get(a.patient.id)?.phones, [first.phone, '+79990000001'], 'a new phone is added to the known patient');
  const before = region.patients.size;
  const refused = h.book(slot(therapist, tomorrow, '08:00'));
  t.equal(rejectionOf(refused).code, 'conflict');
  t.equal(region.patients.size, before + 1, 'a refused booking leaves only a patient record');
  t.ok(refused.events.every((record) => record.address === 'region'), 'and nothing in the calendar');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('booking reply and appointment record', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(s1, 'operator:a', { services: ['Приём терапевта', ' ЭКГ '] });
  t.match(a, {
    id: /^gp1-d1\./,
    slotId: s1,
    status: 'booked',
    doctorId: therapist,
    clinicId: 'gp1',
    date: tomorrow,
    cabinet: '101',
    services: ['Приём терапевта', 'ЭКГ'],
    history: [{ status: 'booked', by: 'operator:a' }],
    needsRebooking: false,
  });
  t.equal(h.doctor(therapist).calendar.slot(s1)?.appointmentId, a.id, 'the slot points back');
  t.end();
});

t.test('a hold id given with the command (the gateway\'s random one) is the hold\'s id, in the event and on replay', (t) => {
  const h = new CalendarHarness();
  const holdId = 'Q2xpbmljRGlzcGF0Y2gxMjM';
  const held = h.submit({ type: 'HoldSlot', slotId: s1, holdId }, 'operator:a');
  t.ok(held.ok && held.reply['holdId'] === holdId, 'the reply names the given id');
  t.equal(h.doctor(therapist).calendar.slot(s1)?.hold?.holdId, holdId, 'the state records it');
  const renewed = h.submit({ type: 'HoldSlot', slotId: s1, holdId: 'another-id' }, 'operator:a');
  t.ok(renewed.ok && renewed.reply['holdId'] === holdId, 'a renewal keeps the hold and its id');
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, '08:15'), holdId: 'not valid!' }, 'operator:a')).field, '/holdId');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('a policy matches only its person: another birth date, or both names different, is a conflict that changes nothing', (t) => {
  const h = new CalendarHarness();
  const first = patient({ surname: 'Орлова', name: 'Анна', sex: 'F' });
  h.booked(slot(therapist, tomorrow, '08:00'), 'operator:test', { patient: first });
  const before = h.engine.snapshot();
  for (const stranger of [{ ...first, birthDate: '1999-09-09' }, { ...first, surname: 'Иванов', name: 'Пётр' }]) {
    const refused = h.book(slot(therapist, tomorrow, '08:15'), 'operator:test', { patient: stranger });
    t.equal(rejectionOf(refused).code, 'conflict');
    t.equal(rejectionOf(refused).field, '/patient/policy');
    t.notOk(JSON.stringify(rejectionOf(refused)).includes('Орлова'), 'the stored name is not in the answer');
  }
  t.same(h.engine.snapshot(), before, 'nothing changed');
  t.end();
});
