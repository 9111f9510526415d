import t from 'tap';
import { listSlots, nearestFreeSlot, rebookingList } from './calendar-queries.ts';
import {
  CalendarHarness, checkSnapshotAndReplay, otherTherapist, pediatrician, rejectionOf, slot, therapist, today, tomorrow,
} from './calendar-test-kit.ts';
import { slotHorizonDaysDefault } from './calendar-settings.ts';
import { parseSlotId, slotIdOf, validateSlotTemplate } from './slot-template.ts';

t.test('slots come from the weekly template for a 14-day horizon, sized by specialty', (t) => {
  const h = new CalendarHarness();
  const calendar = h.doctor(therapist).calendar;
  t.equal(calendar.today, today);
  t.equal(calendar.days.size, slotHorizonDaysDefault, 'one day per horizon day');
  const monday = calendar.days.get(today);
  t.equal(monday?.slots.length, 16, '08:00–12:00 in 15-minute slots');
  t.same(monday?.slots.slice(0, 2).map((s) => [s.id, s.endMinutes - s.startMinutes, s.cabinet]), [
    [slot(therapist, today, '08:00'), 15, '101'],
    [slot(therapist, today, '08:15'), 15, '101'],
  ]);
  t.equal(h.doctor(pediatrician).calendar.days.get(today)?.slots.length, 12, 'pediatricians get 20-minute slots');
  t.equal(calendar.days.get('2026-11-28')?.slots.length, 0, 'no slots on Saturday for a weekday doctor');
  t.equal(h.doctor(otherTherapist).calendar.days.get('2026-11-28')?.slots.length, 12, 'Saturday 10:00–13:00 for the part-timer');
  const lastDay = '2026-12-06';
  t.ok(calendar.days.has(lastDay) && !calendar.days.has('2026-12-07'), 'horizon ends 13 days after today');
  t.end();
});

t.test('free-slot search: only future slots, within working hours, nearest first, by specialty', (t) => {
  const h = new CalendarHarness();
  const at = h.clock.now();
  const free = listSlots(h.read, { at, clinicId: 'gp1', doctorId: therapist, from: today, to: today, status: 'free' });
  t.equal(free.slots[0]?.id, slot(therapist, today, '09:15'), 'slots that began are not offered');
  t.ok(free.slots.every((s) => s.status === 'free' && s.start > at));
  const all = listSlots(h.read, { at, clinicId: 'gp1', doctorId: therapist, from: today, to: today });
  t.equal(all.slots.length, 16, 'without a status filter the whole day is listed');
  const nearest = nearestFreeSlot(h.read, { at, clinicId: 'gp1', specialty: 'therapist' });
  t.equal(nearest?.id, slot(therapist, today, '09:15'));
  h.booked(slot(therapist, today, '09:15'));
  t.equal(nearestFreeSlot(h.read, { at, clinicId: 'gp1', specialty: 'therapist' })?.id, slot(otherTherapist, today, '09:15'), 'the next doctor of the specialty');
  t.equal(nearestFreeSlot(h.read, { at, clinicId: 'gp1', doctorId: therapist, date: tomorrow })?.id, slot(therapist, tomorrow, '08:00'), 'nearest on a given day');
  const limited = listSlots(h.read, { at, clinicId: 'gp1', specialty: 'pediatrician', status: 'free', limit: 5 });
  t.equal(limited.slots.length, 5);
  t.ok(limited.truncated);
  t.same(listSlots(h.read, { at, clinicId: 'gp1', specialty: 'dentist' }).slots, [], 'no doctor of the specialty, no slots');
  t.end();
});

t.test('the horizon rolls at local midnight: past days go, a new day opens', (t) => {
  const h = new CalendarHarness();
  h.moveTo(tomorrow, '00:01');
  const calendar = h.doctor(therapist).calendar;
  t.equal(calendar.today, tomorrow);
  t.notOk(calendar.days.has(today), 'yesterday is dropped');
  t.ok(calendar.days.has('2026-12-07'), 'a new day at the end');
  t.equal(calendar.days.size, slotHorizonDaysDefault);
  h.moveTo('2026-11-27', '12:00');
  t.equal(h.doctor(therapist).calendar.today, '2026-11-27', 'several rolls in a row');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('the horizon is a clinic setting; it reaches every doctor of the clinic', (t) => {
  const h = new CalendarHarness();
  const result = h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { slotHorizonDays: 21 } }, 'admin:x');
  t.ok(result.ok);
  t.equal(h.doctor(therapist).calendar.days.size, 21);
  t.equal(h.doctor('gp2-d1').calendar.days.size, 14, 'other clinics keep theirs');
  t.equal(rejectionOf(h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { slotHorizonDays: 0 } })).code, 'invalid');
  t.equal(rejectionOf(h.submit({ type: 'UpdateCalendarSettings', clinicId: 'nope', settings: {} })).code, 'not_found');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('a doctor joining a clinic with its own settings gets them', (t) => {
  const h = new CalendarHarness();
  h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp2', settings: { slotHorizonDays: 7, holdTtlMinutes: 2 } }, 'admin:x');
  const added = h.submit(
    {
      type: 'AddDoctor',
      doctor: {
        id: 'gp2-new', clinicId: 'gp2', name: 'Новый Н. Н.', specialty: 'neurologist', subdivisionId: 'adult', districtIds: [],
        weeklyShifts: [{ weekday: 2, startMinutes: 600, endMinutes: 900 }], homeVisitMinutes: 30,
        slotTemplate: [{ weekday: 2, startMinutes: 600, endMinutes: 720, cabinet: '7' }],
      },
    },
    'admin:x',
  );
  t.ok(added.ok);
  const calendar = h.doctor('gp2-new').calendar;
  t.same(calendar.settings, { slotHorizonDays: 7, holdTtlMinutes: 2, checkInOpensMinutesBefore: 60 });
  t.equal(calendar.days.size, 7);
  t.equal(calendar.days.get(tomorrow)?.slots.length, 4, 'neurologists get 30-minute slots');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('template validation', (t) => {
  t.equal(rejectionOf(new CalendarHarness().submit({ type: 'SetSchedule', doctorId: therapist, template: [{ weekday: 8, startMinutes: 0, endMinutes: 60, cabinet: '1' }] })).field, '/template/0/weekday');
  const cases: Array<[unknown, string]> = [
    [[{ weekday: 1, startMinutes: 600, endMinutes: 540, cabinet: '1' }], '/template/0/startMinutes'],
    [[{ weekday: 1, startMinutes: 600, endMinutes: 660, slotMinutes: 3, cabinet: '1' }], '/template/0/slotMinutes'],
    [[{ weekday: 1, startMinutes: 600, endMinutes: 610, cabinet: '1' }], '/template/0/endMinutes'],
    [[{ weekday: 1, startMinutes: 600, endMinutes: 660, cabinet: '' }], '/template/0/cabinet'],
    [[{ weekday: 1, startMinutes: 600, endMinutes: 700, cabinet: '1' }, { weekday: 1, startMinutes: 650, endMinutes: 760, cabinet: '2' }], '/template/1'],
    ['not a list', '/template'],
  ];
  for (const [template, field] of cases) {
    const result = validateSlotTemplate(template, 'therapist');
    t.ok('code' in result && result.code === 'invalid' && result.field === field, `rejects ${JSON.stringify(template)} at ${field}`);
  }
  const ok = validateSlotTemplate([{ weekday: 3, startMinutes: 600, endMinutes: 700, cabinet: ' 5 ' }], 'unknown-specialty');
  t.same(ok, [{ weekday: 3, startMinutes: 600, endMinutes: 700, slotMinutes: 20, cabinet: '5' }], 'default slot length, trimmed cabinet');
  const h = new CalendarHarness();
  const bad = h.submit({
    type: 'AddDoctor',
    doctor: {
      id: 'gp1-bad', clinicId: 'gp1', name: 'Х', specialty: 'therapist', subdivisionId: 'adult', districtIds: [], weeklyShifts: [], homeVisitMinutes: 30,
      slotTemplate: [{ weekday: 1, startMinutes: 60, endMinutes: 30, cabinet: '1' }],
    },
  });
  t.equal(rejectionOf(bad).field, '/doctor/slotTemplate/0/startMinutes', 'the region checks the template of a new doctor');
  t.equal(rejectionOf(h.submit({ type: 'SetSchedule', doctorId: 'ghost', template: [] })).code, 'not_found');
  t.end();
});

t.test('slot ids name doctor, date and time', (t) => {
  t.equal(slotIdOf('gp1-d1', '2026-11-24', 8 * 60 + 5), 'gp1-d1.20261124.0805');
  t.same(parseSlotId('gp1-d1.20261124.0805'), { doctorId: 'gp1-d1', date: '2026-11-24', startMinutes: 485 });
  t.equal(parseSlotId('gp1-d1.20261131.0805'), undefined, 'not a real date');
  t.equal(parseSlotId('gp1-d1.20261124.2460'), undefined);
  t.equal(parseSlotId(42), undefined);
  // Parsed ids are memoised: a second look gives the same answers, and a shared result cannot be changed.
  t.equal(parseSlotId('gp1-d1.20261131.0805'), undefined, 'still not a real date');
  const again = parseSlotId('gp1-d1.20261124.0805');
  t.same(again, { doctorId: 'gp1-d1', date: '2026-11-24', startMinutes: 485 });
  t.ok(Object.isFrozen(again), 'shared results are frozen');
  for (let minute = 0; minute < 120_000; minute += 1) parseSlotId(`gp1-d${minute}.20261124.0805`);
  t.same(parseSlotId('gp1-d1.20261124.0805'), { doctorId: 'gp1-d1', date: '2026-11-24', startMinutes: 485 }, 'right after the memo filled and started over');
  t.equal(parseSlotId('gp1-d1.20261124.2460'), undefined);
  t.equal(parseSlotId(`gp1-d1.20261124.0805${'x'.repeat(30_000)}`), undefined, 'an overlong id is refused (and not kept)');
  t.same(parseSlotId(`${'d'.repeat(64)}.20261124.0805`), { doctorId: 'd'.repeat(64), date: '2026-11-24', startMinutes: 485 }, 'the longest valid id');
  t.end();
});

t.test('a new template rebuilds open days; booked slots stay and are listed for rebooking', (t) => {
  const h = new CalendarHarness();
  const kept = h.booked(slot(therapist, tomorrow, '08:00'));
  const moved = h.booked(slot(therapist, tomorrow, '11:45'));
  h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, '09:00') }, 'operator:x');
  const result = h.submit({ type: 'SetSchedule', doctorId: therapist, template: [{ weekday: 2, startMinutes: 8 * 60, endMinutes: 10 * 60, slotMinutes: 15, cabinet: '101' }] });
  t.ok(result.ok);
  const calendar = h.doctor(therapist).calendar;
  const tuesday = calendar.days.get(tomorrow);
  t.equal(tuesday?.slots.length, 9, '8 template slots and the kept 11:45 booking');
  t.equal(calendar.slot(slot(therapist, tomorrow, '08:00'))?.appointmentId, kept.id, 'an unchanged booked slot keeps its booking');
  t.equal(calendar.slot(slot(therapist, tomorrow, '09:00'))?.hold?.holder, 'operator:x', 'an unchanged held slot keeps its hold');
  const retired = calendar.slot(slot(therapist, tomorrow, '11:45'));
  t.equal(retired?.retired, true);
  t.equal(calendar.statusOf(retired!, h.clock.now()), 'blocked');
  t.same(rebookingList(h.read, 'gp1').map((a) => a.id), [moved.id]);
  t.equal(calendar.days.get('2026-11-25')?.slots.length, 0, 'Wednesday is no longer a reception day');
  const cancelled = h.submit({ type: 'CancelAppointment', appointmentId: moved.id });
  t.ok(cancelled.ok);
  t.equal(calendar.slot(slot(therapist, tomorrow, '11:45')), undefined, 'a retired slot goes with its booking');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('exceptions: vacation, sick day and stop notice block days; booked patients are listed for rebooking', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(slot(therapist, tomorrow, '08:30'));
  const b = h.booked(slot(therapist, '2026-11-26', '10:00'));
  h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, '09:00') }, 'operator:x');
  const stop = h.submit({ type: 'AddCalendarException', doctorId: therapist, exception: { kind: 'stop', from: tomorrow, to: '2026-11-26', reason: 'учёба' } });
  t.ok(stop.ok);
  const reply = stop.ok ? stop.reply : {};
  t.same(reply['affectedAppointmentIds'], [a.id, b.id], 'the booked patients are named in the reply');
  const calendar = h.doctor(therapist).calendar;
  const blockedSlot = calendar.slot(slot(therapist, tomorrow, '09:00'));
  t.equal(blockedSlot?.hold, undefined, 'holds on stopped days end');
  t.equal(calendar.statusOf(blockedSlot!, h.clock.now()), 'blocked');
  t.equal(calendar.days.get(tomorrow)?.freeCount, 0);
  t.same(rebookingList(h.read, 'gp1').map((x) => x.id), [a.id, b.id], 'listed for rebooking, not dropped');
  t.equal(h.read.doctor(therapist)?.appointments.get(a.id)?.status, 'booked', 'the appointments stay booked');
  t.equal(rejectionOf(h.book(slot(therapist, tomorrow, '10:00'))).code, 'conflict', 'a blocked slot cannot be booked');
  t.equal(rejectionOf(h.submit({ type: 'HoldSlot', slotId: slot(therapist, tomorrow, '10:00') })).code, 'conflict');
  const stoppedNotices = h.read.clinic('gp1')?.calendar.outbox.items.filter((item) => item.kind === 'appointment_stopped');
  t.equal(stoppedNotices?.length, 2, 'the patients are told');

  const sick = h.submit({ type: 'AddCalendarException', doctorId: therapist, exception: { kind: 'sick_day', from: '2026-12-01', to: '2026-12-01' } });
  t.ok(sick.ok);
  const vacation = h.submit({ type: 'AddCalendarException', doctorId: therapist, exception: { kind: 'vacation', from: '2026-12-05', to: '2027-01-10' } });
  t.ok(vacation.ok);
  t.equal(calendar.days.get('2026-12-01')?.blocked, true);
  t.equal(calendar.days.get('2026-12-02')?.blocked, false);
  h.moveTo('2026-12-08', '08:00');
  t.equal(calendar.days.get('2026-12-21')?.blocked, true, 'days opened later inside the vacation are blocked');

  const stopId = stop.ok ? String(stop.reply['exceptionId']) : '';
  t.equal(rejectionOf(h.submit({ type: 'LiftCalendarException', exceptionId: stopId })).code, 'not_found', 'past exceptions are dropped on the roll');
  const vacationId = vacation.ok ? String(vacation.reply['exceptionId']) : '';
  t.ok(h.submit({ type: 'LiftCalendarException', exceptionId: vacationId }).ok);
  t.equal(calendar.days.get('2026-12-21')?.blocked, false, 'lifting unblocks');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('exception rejections', (t) => {
  const h = new CalendarHarness();
  const add = (exception: Record<string, unknown>) =>
    rejectionOf(h.submit({ type: 'AddCalendarException', doctorId: therapist, exception: exception as never }));
  t.equal(add({ kind: 'holiday', from: tomorrow, to: tomorrow }).field, '/exception/kind');
  t.equal(add({ kind: 'stop', from: '2026-13-01', to: tomorrow }).field, '/exception/from');
  t.equal(add({ kind: 'stop', from: tomorrow, to: today }).field, '/exception/to');
  t.equal(add({ kind: 'stop', from: '2026-11-01', to: '2026-11-20' }).code, 'rule_broken', 'in the past');
  t.equal(add({ kind: 'vacation', from: tomorrow, to: '2028-01-01' }).field, '/exception/to', 'too long');
  t.equal(rejectionOf(h.submit({ type: 'LiftCalendarException', exceptionId: `${therapist}.nope` })).code, 'not_found');
  t.end();
});

t.test('a shorter horizon closes free days from the end and stops at a booked one', (t) => {
  const h = new CalendarHarness();
  const far = h.booked(slot(therapist, '2026-12-04', '08:00'));
  h.submit({ type: 'UpdateCalendarSettings', clinicId: 'gp1', settings: { slotHorizonDays: 7 } });
  const calendar = h.doctor(therapist).calendar;
  t.equal(calendar.days.size, 12, 'the weekend after the booking is closed, the booked Friday stays');
  t.equal(calendar.slot(far.slotId)?.appointmentId, far.id);
  t.equal(h.doctor(pediatrician).calendar.days.size, 7, 'a doctor with nothing booked shrinks at once');
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('appointments are kept 30 days after their date, then dropped on the roll', (t) => {
  const h = new CalendarHarness();
  const a = h.booked(slot(therapist, tomorrow, '08:00'));
  h.moveTo('2026-12-24', '12:00');
  t.ok(h.doctor(therapist).appointments.get(a.id), 'kept 30 days');
  h.moveTo('2026-12-25', '00:01');
  t.equal(h.doctor(therapist).appointments.get(a.id), undefined, 'then dropped');
  t.same(h.doctor(therapist).appointments.onDate(tomorrow), []);
  checkSnapshotAndReplay(t, h);
  t.end();
});

t.test('a stop over a fully booked calendar stays one bounded cascade', (t) => {
  const h = new CalendarHarness();
  const template = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinutes: 8 * 60, endMinutes: 20 * 60, slotMinutes: 5, cabinet: '9' }));
  h.submit({
    type: 'AddDoctor',
    doctor: {
      id: 'gp1-busy', clinicId: 'gp1', name: 'Занятой З. З.', specialty: 'therapist', subdivisionId: 'adult', districtIds: [],
      weeklyShifts: [], homeVisitMinutes: 30, slotTemplate: template,
    },
  });
  const calendar = h.doctor('gp1-busy').calendar;
  let booked = 0;
  for (const day of calendar.days.values()) {
    for (const s of day.slots) if (booked < 1_100 && s.startAt > h.clock.now() && h.book(s.id).ok) booked += 1;
  }
  t.equal(booked, 1_100);
  const stop = h.submit({ type: 'AddCalendarException', doctorId: 'gp1-busy', exception: { kind: 'vacation', from: today, to: '2026-12-06' } });
  t.ok(stop.ok, 'more affected patients than messagesPerCommandMax, still one message to the clinic');
  t.equal(stop.ok ? (stop.reply['affectedAppointmentIds'] as unknown[]).length : 0, 1_100);
  t.equal(h.read.clinic('gp1')?.calendar.outbox.items.filter((item) => item.kind === 'appointment_stopped').length, 1_100);
  t.equal(rebookingList(h.read, 'gp1').length, 1_100);
  t.end();
});
