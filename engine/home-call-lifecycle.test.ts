import t from 'tap';
import { Harness, replyOf, sampleCall } from './test-harness.ts';
import { clinicBoard, listCalls, type HomeCall } from './index.ts';

function register(h: Harness, overrides = {}): HomeCall {
  return replyOf(h.submit({ type: 'RegisterCall', call: sampleCall(overrides) })) as unknown as HomeCall;
}

function rejectionOf(result: ReturnType<Harness['submit']>): { code: string; field?: string; details?: Record<string, string> } {
  if (result.ok) throw new Error('expected a rejection');
  return result.rejection as { code: string; field?: string; details?: Record<string, string> };
}

t.test('register: staff sources start new, portal and ambulance start received', (t) => {
  const h = new Harness();
  for (const [source, status] of [['call_center', 'new'], ['registry', 'new'], ['doctor', 'new'], ['portal', 'received'], ['smp', 'received']] as const) {
    const call = register(h, { source });
    t.equal(call.status, status, source);
    t.equal(call.clinicId, 'gp1', 'clinic resolved from the street');
    t.equal(call.districtId, 'gp1-a1', 'adult district for an adult patient');
    t.same(call.history.map((e) => e.status), [status]);
  }
  t.end();
});

t.test('register: intake is normalised and kept', (t) => {
  const h = new Harness();
  const call = register(h, { caller: { type: 'relative', phone: '8 (912) 000-11-22', name: 'Сын' } });
  t.match(call.patient.phone, /^\+7\d{10}$/);
  t.equal(call.caller?.phone, '+79120001122');
  t.equal(call.address.intercom, '5К');
  t.same(call.complaints.tags, ['temperature', 'cough']);
  t.equal(call.number, 1);
  t.equal(register(h).number, 2, 'call numbers count up per clinic');
  t.end();
});

t.test('register: a child on the same street goes to the children district', (t) => {
  const h = new Harness();
  const call = register(h, { patient: { surname: 'Малышев', name: 'Петя', birthDate: '2019-03-01', sex: 'M' } });
  t.equal(call.districtId, 'gp1-c1');
  t.equal(call.patient.ageCategory, 'child');
  t.equal(call.subdivisionId, 'child');
  t.end();
});

t.test('register: rejections name the field and change nothing', (t) => {
  const h = new Harness();
  const cases: Array<[object, string, string]> = [
    [{ patient: { surname: 'А', name: 'Б', birthDate: '2099-01-01', sex: 'M' } }, 'invalid', '/patient/birthDate'],
    [{ patient: { surname: 'А', name: 'Б', birthDate: '2001-02-30', sex: 'M' } }, 'invalid', '/patient/birthDate'],
    [{ patient: { surname: 'А', name: 'Б', birthDate: '2001-02-03', sex: 'M', policy: '123' } }, 'invalid', '/patient/policy'],
    [{ patient: { surname: 'А', name: 'Б', birthDate: '2001-02-03', sex: 'M', phone: '+1 555 0100' } }, 'invalid', '/patient/phone'],
    [{ patient: { surname: ' ', name: 'Б', birthDate: '2001-02-03', sex: 'M' } }, 'invalid', '/patient/surname'],
    [{ complaints: { text: 'x', tags: ['telepathy'] } }, 'invalid', '/complaints/tags/0'],
    [{ complaints: { text: '' } }, 'invalid', '/complaints/text'],
    [{ source: 'fax' }, 'invalid', '/source'],
    [{ kind: 'vip' }, 'invalid', '/kind'],
    [{ address: { text: 'г. Ярославль, ул. Неизвестная', house: '1' } }, 'rule_broken', '/address'],
    [{ clinicId: 'nope' }, 'not_found', '/clinicId'],
    [{ address: { text: 'ул. Свободы', house: '1', floor: 1.5 } }, 'invalid', '/address/floor'],
  ];
  const before = JSON.stringify(h.engine.snapshot());
  for (const [override, code, field] of cases) {
    const rejection = rejectionOf(h.submit({ type: 'RegisterCall', call: sampleCall(override as never) }));
    t.equal(rejection.code, code, field);
    t.equal(rejection.field, field);
  }
  t.equal(JSON.stringify(h.engine.snapshot()), before, 'no state changed');
  t.same(h.engine.takeEvents().length > 0, true);
  t.end();
});

t.test('one open call per patient: by policy, else by name and birth date; free again once closed', (t) => {
  const h = new Harness();
  const first = register(h);
  const again = sampleCall({ patient: { ...first.patient, phone: '+79990001122' } as never });
  const rejection = rejectionOf(h.submit({ type: 'RegisterCall', call: again }));
  t.equal(rejection.code, 'rule_broken');
  t.same(rejection.details, { openCallId: first.id });
  const byName = sampleCall({ patient: { surname: first.patient.surname, name: first.patient.name, patronymic: 'Иванович', birthDate: first.patient.birthDate, sex: 'M' } });
  t.equal(rejectionOf(h.submit({ type: 'RegisterCall', call: byName })).code, 'rule_broken', 'matched by full name and birth date');
  replyOf(h.submit({ type: 'CancelCall', callId: first.id, reason: 'отменил пациент' }));
  const second = register(h, { patient: { ...first.patient } as never });
  t.equal(second.patient.id, first.patient.id, 'same patient');
  t.not(second.id, first.id);
  t.end();
});

t.test('externalId: a retry returns the first call and changes nothing', (t) => {
  const h = new Harness();
  const input = sampleCall({ source: 'portal', externalId: 'rpgu-42' });
  const first = replyOf(h.submit({ type: 'RegisterCall', call: input }));
  h.engine.takeEvents();
  const retry = h.submit({ type: 'RegisterCall', call: input });
  t.equal(replyOf(retry).id, first.id);
  t.equal(replyOf(retry).replayed, true);
  t.equal(retry.events.length, 0);
  t.end();
});

t.test('accept, assign, reassign, complete', (t) => {
  const h = new Harness();
  const call = register(h, { source: 'portal' });
  t.equal(rejectionOf(h.submit({ type: 'AssignCall', callId: call.id, doctorId: 'gp1-d1', visitDate: '2026-11-23' })).code, 'illegal_transition', 'received must be accepted first');
  t.equal(replyOf(h.submit({ type: 'AcceptCall', callId: call.id })).status, 'new');
  t.equal(rejectionOf(h.submit({ type: 'AcceptCall', callId: call.id })).code, 'illegal_transition');
  const assigned = replyOf(h.submit({ type: 'AssignCall', callId: call.id, doctorId: 'gp1-d1', visitDate: '2026-11-23' }));
  t.equal(assigned.status, 'assigned');
  t.equal(assigned.doctorId, 'gp1-d1');
  t.equal(h.read.doctor('gp1-d1')?.visitsOn('2026-11-23').size, 1);
  const reassigned = replyOf(h.submit({ type: 'AssignCall', callId: call.id, doctorId: 'gp1-d3', visitDate: '2026-11-24' }));
  t.equal(reassigned.doctorId, 'gp1-d3');
  t.equal(h.read.doctor('gp1-d1')?.visitsOn('2026-11-23').size, 0, 'the old doctor lost the visit');
  t.equal(h.read.doctor('gp1-d3')?.visitsOn('2026-11-24').size, 1);
  const same = h.submit({ type: 'AssignCall', callId: call.id, doctorId: 'gp1-d3', visitDate: '2026-11-24' });
  t.equal(same.events.length, 0, 'assigning again to the same doctor and date is a no-op');
  const done = replyOf(h.submit({ type: 'CompleteCall', callId: call.id, diagnosis: 'J06.9 ОРВИ', note: 'рекомендации даны' }));
  t.equal(done.status, 'completed');
  t.equal(done.diagnosis, 'J06.9 ОРВИ');
  t.ok(h.read.doctor('gp1-d3')?.visitsOn('2026-11-24').get(call.id)?.doneAt, 'visit marked done in the route list');
  t.same((done.history as Array<{ status: string }>).map((e) => e.status), ['received', 'new', 'assigned', 'assigned', 'completed']);
  for (const type of ['CancelCall', 'CompleteCall', 'AcceptCall'] as const) {
    t.equal(rejectionOf(h.submit({ type, callId: call.id, reason: 'x' })).code, 'illegal_transition', `${type} after completed`);
  }
  t.end();
});

t.test('assign rejections', (t) => {
  const h = new Harness();
  const call = register(h);
  const cases: Array<[string, string, string, string]> = [
    ['gp2-d1', '2026-11-23', 'rule_broken', '/doctorId'],
    ['nobody', '2026-11-23', 'rule_broken', '/doctorId'],
    ['gp1-d1', '2026-11-22', 'rule_broken', '/visitDate'],
    ['gp1-d1', '2026-12-31', 'rule_broken', '/visitDate'],
    ['gp1-d1', '23.11.2026', 'invalid', '/visitDate'],
    ['gp1-d1', '2026-11-28', 'rule_broken', '/visitDate'],
  ];
  for (const [doctorId, visitDate, code, field] of cases) {
    const rejection = rejectionOf(h.submit({ type: 'AssignCall', callId: call.id, doctorId, visitDate }));
    t.equal(rejection.code, code, `${doctorId} ${visitDate}`);
    t.equal(rejection.field, field);
  }
  t.equal(rejectionOf(h.submit({ type: 'AssignCall', callId: 'gp1.none', doctorId: 'gp1-d1', visitDate: '2026-11-23' })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'AssignCall', callId: 'nope', doctorId: 'gp1-d1', visitDate: '2026-11-23' })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'AssignCall', callId: 'zz.none', doctorId: 'gp1-d1', visitDate: '2026-11-23' })).code, 'not_found');
  h.clock.set(Date.UTC(2026, 10, 23, 15, 0));
  t.equal(rejectionOf(h.submit({ type: 'AssignCall', callId: call.id, doctorId: 'gp1-d3', visitDate: '2026-11-23' })).field, '/visitDate', 'shift over at 18:00 for an 08–14 doctor');
  t.equal(replyOf(h.submit({ type: 'AssignCall', callId: call.id, doctorId: 'gp1-d1', visitDate: '2026-11-23' })).status, 'assigned', 'a 07–20 doctor still works');
  t.end();
});

t.test('cancel from every open status frees the doctor; reason required', (t) => {
  const h = new Harness();
  const received = register(h, { source: 'smp' });
  const fresh = register(h);
  const assigned = register(h);
  replyOf(h.submit({ type: 'AssignCall', callId: assigned.id, doctorId: 'gp1-d1', visitDate: '2026-11-24' }));
  t.equal(rejectionOf(h.submit({ type: 'CancelCall', callId: fresh.id, reason: '  ' })).field, '/reason');
  for (const call of [received, fresh, assigned]) {
    const cancelled = replyOf(h.submit({ type: 'CancelCall', callId: call.id, reason: 'вызов отменён' }));
    t.equal(cancelled.status, 'cancelled');
    t.equal(cancelled.cancelReason, 'вызов отменён');
  }
  t.equal(h.read.doctor('gp1-d1')?.visitsOn('2026-11-24').size, 0);
  t.same(clinicBoard(h.read.clinic('gp1')!, h.clock.now()).counters, { received: 0, new: 0, assigned: 0, overdue: 0, completed: 0 });
  t.equal(rejectionOf(h.submit({ type: 'CompleteCall', callId: fresh.id })).code, 'illegal_transition', 'complete needs assigned');
  t.end();
});

t.test('transfer: the call leaves, the target holds a new linked call, the open-call rule follows', (t) => {
  const h = new Harness();
  const call = register(h);
  replyOf(h.submit({ type: 'AssignCall', callId: call.id, doctorId: 'gp1-d1', visitDate: '2026-11-23' }));
  t.equal(rejectionOf(h.submit({ type: 'TransferCall', callId: call.id, toClinicId: 'gp1', reason: 'x' })).code, 'rule_broken');
  t.equal(rejectionOf(h.submit({ type: 'TransferCall', callId: call.id, toClinicId: 'gp9', reason: 'x' })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'TransferCall', callId: call.id, toClinicId: 'gp2', reason: '' })).field, '/reason');
  const moved = replyOf(h.submit({ type: 'TransferCall', callId: call.id, toClinicId: 'gp2', reason: 'адрес обслуживает ГП-2' }));
  t.equal(moved.status, 'transferred');
  const link = moved.transferredTo as { clinicId: string; callId: string };
  t.equal(link.clinicId, 'gp2');
  const target = h.read.call(link.callId);
  t.equal(target?.status, 'new');
  t.same(target?.transferredFrom, { clinicId: 'gp1', callId: call.id, number: call.number, createdAt: call.createdAt }, 'linked back, with its number and first registration time');
  t.equal(target?.patient.id, call.patient.id);
  t.equal(h.read.doctor('gp1-d1')?.visitsOn('2026-11-23').size, 0, 'the old doctor lost the visit');
  t.equal(h.read.region().openCallByPatient.get(call.patient.id), link.callId);
  const second = rejectionOf(h.submit({ type: 'RegisterCall', call: sampleCall({ patient: { ...call.patient } as never }) }));
  t.same(second.details, { openCallId: link.callId });
  t.equal(rejectionOf(h.submit({ type: 'TransferCall', callId: call.id, toClinicId: 'gp3', reason: 'x' })).code, 'illegal_transition');
  t.end();
});

t.test('SLA timers: overdue when not assigned in 30 minutes or not served in 24 hours', (t) => {
  const h = new Harness();
  const late = register(h);
  const onTime = register(h);
  h.advanceMinutes(10);
  replyOf(h.submit({ type: 'AssignCall', callId: onTime.id, doctorId: 'gp1-d1', visitDate: '2026-11-23' }));
  t.equal(h.engine.nextTimerAt(), late.createdAt + 30 * 60_000);
  h.advanceMinutes(19);
  t.equal(h.read.call(late.id)?.overdue, false, 'not yet');
  h.advanceMinutes(1);
  t.equal(h.read.call(late.id)?.overdue, true, 'overdue at 30 minutes');
  t.equal(clinicBoard(h.read.clinic('gp1')!, h.clock.now()).counters.overdue, 1);
  t.equal(listCalls(h.read.clinic('gp1')!, {})[0]?.id, late.id, 'overdue calls sort first');
  replyOf(h.submit({ type: 'AssignCall', callId: late.id, doctorId: 'gp1-d1', visitDate: '2026-11-24' }));
  t.equal(h.read.call(late.id)?.overdue, false, 'assignment ends the assignment SLA');
  h.advanceMinutes(24 * 60 - 20);
  t.equal(h.read.call(onTime.id)?.overdue, true, 'not served within 24 hours of assignment');
  t.equal(h.read.call(late.id)?.overdue, false);
  replyOf(h.submit({ type: 'CompleteCall', callId: onTime.id }));
  t.equal(clinicBoard(h.read.clinic('gp1')!, h.clock.now()).counters.overdue, 0);
  t.end();
});

t.test('settings: SLA and cut-off per clinic; after the cut-off the visit defaults to tomorrow', (t) => {
  const h = new Harness();
  t.equal(register(h).visitDate, '2026-11-23', 'before 13:00');
  replyOf(h.submit({ type: 'UpdateClinicSettings', clinicId: 'gp1', settings: { assignSlaMinutes: 10, cutoffHour: 9 } }));
  const call = register(h);
  t.equal(call.visitDate, '2026-11-24', 'at 09:00 with a 09:00 cut-off');
  t.equal(call.dueAt, call.createdAt + 10 * 60_000);
  t.equal(rejectionOf(h.submit({ type: 'UpdateClinicSettings', clinicId: 'gp1', settings: { cutoffHour: 24 } })).field, '/settings/cutoffHour');
  t.end();
});

t.test('red flags mark the call with emergency advice', (t) => {
  const h = new Harness();
  t.same(register(h, { complaints: { text: 'давит за грудиной', tags: ['chest_pain', 'cough'] } }).redFlags, ['chest_pain']);
  t.same(register(h, { complaints: { text: 'Потерял сознание на 1 минуту' } }).redFlags, ['text:потерял сознание']);
  t.same(register(h).redFlags, []);
  t.end();
});

t.test('board and filters are kept incrementally', (t) => {
  const h = new Harness();
  const child = register(h, { patient: { surname: 'Малышева', name: 'Оля', birthDate: '2020-01-01', sex: 'F' }, kind: 'repeat' });
  const adult = register(h, { source: 'portal' });
  const third = register(h);
  replyOf(h.submit({ type: 'AssignCall', callId: third.id, doctorId: 'gp1-d1', visitDate: '2026-11-23' }));
  const clinic = h.read.clinic('gp1')!;
  const board = clinicBoard(clinic, h.clock.now());
  t.same(board.counters, { received: 1, new: 1, assigned: 1, overdue: 0, completed: 0 });
  t.equal(board.doctors.find((d) => d.doctorId === 'gp1-d1')?.assigned, 1);
  t.same(listCalls(clinic, { ageCategory: 'child' }).map((c) => c.id), [child.id]);
  t.same(listCalls(clinic, { kind: 'repeat' }).map((c) => c.id), [child.id]);
  t.same(listCalls(clinic, { status: 'received' }).map((c) => c.id), [adult.id]);
  t.same(listCalls(clinic, { doctorId: 'gp1-d1' }).map((c) => c.id), [third.id]);
  t.same(listCalls(clinic, { name: 'малышева' }).map((c) => c.id), [child.id]);
  t.same(listCalls(clinic, { subdivisionId: 'child' }).map((c) => c.id), [child.id]);
  replyOf(h.submit({ type: 'CompleteCall', callId: third.id }));
  t.same(listCalls(clinic, { status: 'completed' }).map((c) => c.id), [third.id]);
  t.equal(clinicBoard(clinic, h.clock.now()).counters.completed, 1);
  t.equal(clinicBoard(clinic, h.clock.now() + 86_400_000).counters.completed, 0, 'completed counts today only');
  t.end();
});

t.test('assign suggestions rank district first, then load, and show hours and time-is-over', (t) => {
  const h = new Harness();
  const first = register(h);
  const rows = h.read.suggestDoctors(first.id, h.clock.now());
  t.equal(rows[0]?.doctorId, 'gp1-d1', 'the district doctor first');
  t.equal(rows[0]?.hours, '07:00–20:00');
  replyOf(h.submit({ type: 'AssignCall', callId: first.id, doctorId: 'gp1-d1', visitDate: '2026-11-23' }));
  t.equal(h.read.suggestDoctors(first.id, h.clock.now())[0]?.loadPercentToday, 4, '30 of 780 working minutes');
  h.clock.set(Date.UTC(2026, 10, 23, 12, 0));
  t.equal(h.read.suggestDoctors(first.id, h.clock.now()).find((r) => r.doctorId === 'gp1-d3')?.shiftOverToday, true);
  t.end();
});

t.test('patient lookup by policy or phone lists calls across clinics, newest first', (t) => {
  const h = new Harness();
  const call = register(h);
  replyOf(h.submit({ type: 'CancelCall', callId: call.id, reason: 'x' }));
  h.advanceMinutes(1);
  const second = register(h, { patient: { ...call.patient } as never, address: { text: 'ул. Чкалова', house: '3' } });
  t.equal(second.clinicId, 'gp2');
  t.same(h.read.callsOfPatient({ policy: call.patient.policy! }).map((c) => c.id), [second.id, call.id]);
  t.same(h.read.callsOfPatient({ phone: call.patient.phone! }).map((c) => c.id), [second.id, call.id]);
  t.same(h.read.callsOfPatient({ phone: '+70000000000' }), []);
  t.end();
});

t.test('directory rejections', (t) => {
  const h = new Harness();
  const clinic = { id: 'gp9', name: 'X', address: 'Y', timeZone: 'Europe/Moscow', subdivisions: [{ id: 'adult', name: 'A' }] };
  t.equal(rejectionOf(h.submit({ type: 'AddClinic', clinic: { ...clinic, id: 'gp1' } })).code, 'conflict');
  t.equal(rejectionOf(h.submit({ type: 'AddClinic', clinic: { ...clinic, id: 'bad id' } })).field, '/clinic/id');
  t.equal(rejectionOf(h.submit({ type: 'AddClinic', clinic: { ...clinic, timeZone: 'Mars/Olympus' } })).field, '/clinic/timeZone');
  t.equal(rejectionOf(h.submit({ type: 'AddClinic', clinic: { ...clinic, subdivisions: [] } })).field, '/clinic/subdivisions');
  const doctor = { id: 'x1', clinicId: 'gp1', name: 'Д', specialty: 'therapist', subdivisionId: 'adult', districtIds: [], weeklyShifts: [], homeVisitMinutes: 30 };
  t.equal(rejectionOf(h.submit({ type: 'AddDoctor', doctor: { ...doctor, districtIds: ['gp2-a1'] } })).field, '/doctor/districtIds/0');
  t.equal(rejectionOf(h.submit({ type: 'AddDoctor', doctor: { ...doctor, subdivisionId: 'zzz' } })).field, '/doctor/subdivisionId');
  t.equal(rejectionOf(h.submit({ type: 'AddDoctor', doctor: { ...doctor, weeklyShifts: [{ weekday: 1, startMinutes: 600, endMinutes: 500 }] } })).field, '/doctor/weeklyShifts/0');
  t.equal(rejectionOf(h.submit({ type: 'AddDoctor', doctor: { ...doctor, weeklyShifts: [{ weekday: 1, startMinutes: 480, endMinutes: 720 }, { weekday: 1, startMinutes: 600, endMinutes: 900 }] } })).code, 'invalid');
  t.equal(rejectionOf(h.submit({ type: 'AddDoctor', doctor: { ...doctor, homeVisitMinutes: 1 } })).field, '/doctor/homeVisitMinutes');
  t.equal(rejectionOf(h.submit({ type: 'AddDoctor', doctor: { ...doctor, clinicId: 'nope' } })).code, 'not_found');
  t.equal(rejectionOf(h.submit({ type: 'AddDistrict', district: { id: 'gp1-a1', clinicId: 'gp1', subdivisionId: 'adult', name: 'x', rules: [] } })).code, 'conflict');
  t.ok(replyOf(h.submit({ type: 'AddClinic', clinic })).clinicId);
  t.end();
});
