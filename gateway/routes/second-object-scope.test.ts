/**
 * Cross-tenant suite for commands that name a second object (docs/security.md, item 1): every route whose body
 * names another slot, doctor or clinic is tried with an object of another clinic and of another doctor. Each
 * refusal is 403 and changes nothing (the target stays free, the call keeps its doctor).
 */
import t from 'tap';
import { call, startTestServer, type TestServer } from '../test-server.ts';

let server: TestServer;
t.before(async () => {
  server = await startTestServer();
});
t.teardown(() => server.stop());

type Json = Record<string, unknown>;
let n = 0;
function patient(): Json {
  n += 1;
  return { surname: 'Чужаков', name: `Пациент${n}`, birthDate: '1970-03-04', sex: 'F', phone: `+7912800${String(n).padStart(4, '0')}`, policy: String(7700000000000000 + n) };
}

async function freeSlotsOf(doctorId: string): Promise<Json[]> {
  const response = await call(server.base, 'GET', `/api/v1/slots?doctorId=${doctorId}&status=free&limit=50`, { token: server.tokens.admin });
  return (response.body as Json[]).filter((slot) => Date.parse(String(slot['start'])) > Date.now() + 3_600_000);
}

async function slotStatus(slot: Json): Promise<string> {
  const date = String(slot['date'] ?? String(slot['start']).slice(0, 10));
  const list = (await call(server.base, 'GET', `/api/v1/slots?doctorId=${String(slot['doctorId'])}&from=${date}&to=${date}`, { token: server.tokens.admin })).body as Json[];
  return String(list.find((s) => s['id'] === slot['id'])?.['status']);
}

t.test('reschedule over HTTP checks the target slot: another clinic, another doctor', async (t) => {
  const { base, tokens } = server;
  const own = await freeSlotsOf('gp1-d1');
  const otherDoctor = await freeSlotsOf('gp1-d2');
  const otherClinic = await freeSlotsOf('gp2-d1');
  t.ok(own.length >= 3 && otherDoctor.length >= 1 && otherClinic.length >= 1, 'the demo has free slots');
  const operator = tokens.operators['gp1'] as string;
  const booked = await call(base, 'POST', '/api/v1/appointments', { token: operator, body: { slotId: own[0]?.['id'], patient: patient(), source: 'registry' } });
  t.equal(booked.status, 201, JSON.stringify(booked.body));
  const appointmentId = String((booked.body as Json)['id']);

  const intoOtherClinic = await call(base, 'POST', `/api/v1/appointments/${appointmentId}/reschedule`, { token: operator, body: { slotId: otherClinic[0]?.['id'] } });
  t.equal(intoOtherClinic.status, 403, `an operator of gp1 cannot move into a gp2 slot: ${intoOtherClinic.text}`);
  t.equal(await slotStatus(otherClinic[0] as Json), 'free', 'the other clinic’s slot stays free');

  const doctor = tokens.doctors['gp1-d1'] as string;
  const doctorBooked = await call(base, 'POST', '/api/v1/appointments', { token: doctor, body: { slotId: own[1]?.['id'], patient: patient(), source: 'registry' } });
  t.equal(doctorBooked.status, 201, JSON.stringify(doctorBooked.body));
  const doctorAppointment = String((doctorBooked.body as Json)['id']);
  const intoOtherDoctor = await call(base, 'POST', `/api/v1/appointments/${doctorAppointment}/reschedule`, { token: doctor, body: { slotId: otherDoctor[0]?.['id'] } });
  t.equal(intoOtherDoctor.status, 403, `a doctor cannot move into another doctor's slot: ${intoOtherDoctor.text}`);
  t.equal(await slotStatus(otherDoctor[0] as Json), 'free', 'the other doctor’s slot stays free');
  const intoOtherClinicByDoctor = await call(base, 'POST', `/api/v1/appointments/${doctorAppointment}/reschedule`, { token: doctor, body: { slotId: otherClinic[0]?.['id'] } });
  t.equal(intoOtherClinicByDoctor.status, 403);

  const withinScope = await call(base, 'POST', `/api/v1/appointments/${appointmentId}/reschedule`, { token: operator, body: { slotId: otherDoctor[0]?.['id'] } });
  t.equal(withinScope.status, 200, `within the clinic the operator may move it to another doctor: ${withinScope.text}`);
});

t.test('booking and holding a slot of another clinic or another doctor is 403', async (t) => {
  const { base, tokens } = server;
  const otherClinic = (await freeSlotsOf('gp2-d2'))[0] as Json;
  const otherDoctor = (await freeSlotsOf('gp1-d3'))[0] as Json;
  const operator = tokens.operators['gp1'] as string;
  const doctor = tokens.doctors['gp1-d1'] as string;
  for (const [who, token, slot] of [['operator gp1', operator, otherClinic], ['doctor gp1-d1', doctor, otherClinic], ['doctor gp1-d1', doctor, otherDoctor]] as const) {
    const hold = await call(base, 'POST', `/api/v1/slots/${String(slot['id'])}/hold`, { token });
    t.equal(hold.status, 403, `${who} holding ${String(slot['id'])}`);
    const book = await call(base, 'POST', '/api/v1/appointments', { token, body: { slotId: slot['id'], patient: patient(), source: 'registry' } });
    t.equal(book.status, 403, `${who} booking ${String(slot['id'])}`);
    t.equal(await slotStatus(slot), 'free');
  }
});

t.test('assign names a doctor: of another clinic 403; a doctor acts only on calls assigned to them', async (t) => {
  const { base, tokens } = server;
  const operator = tokens.operators['gp1'] as string;
  const registered = await call(base, 'POST', '/api/v1/calls', {
    token: operator,
    body: { source: 'call_center', kind: 'primary', patient: patient(), address: { text: 'ул. Ленина', house: '3' }, complaints: { text: 'температура' } },
  });
  t.equal(registered.status, 201, registered.text);
  const callId = String((registered.body as Json)['id']);
  const visitDate = String((registered.body as Json)['visitDate']);
  const toOtherClinic = await call(base, 'POST', `/api/v1/calls/${callId}/assign`, { token: operator, body: { doctorId: 'gp2-d1', visitDate } });
  t.equal(toOtherClinic.status, 403, `a doctor of another clinic: ${toOtherClinic.text}`);
  const unassigned = (await call(base, 'GET', `/api/v1/calls/${callId}`, { token: operator })).body as Json;
  t.equal(unassigned['doctorId'], undefined, 'the call is not assigned');

  const assigned = await call(base, 'POST', `/api/v1/calls/${callId}/assign`, { token: operator, body: { doctorId: 'gp1-d2', visitDate } });
  t.equal(assigned.status, 200, assigned.text);
  const otherDoctor = tokens.doctors['gp1-d1'] as string;
  t.equal((await call(base, 'POST', `/api/v1/calls/${callId}/complete`, { token: otherDoctor, body: { diagnosis: 'ОРВИ' } })).status, 403, 'another doctor cannot complete it');
  t.equal((await call(base, 'POST', `/api/v1/calls/${callId}/assign`, { token: otherDoctor, body: { doctorId: 'gp1-d1', visitDate } })).status, 403, 'nor take it over');
  t.equal((await call(base, 'POST', `/api/v1/calls/${callId}/transfer`, { token: otherDoctor, body: { clinicId: 'gp2', reason: 'адрес' } })).status, 403, 'nor transfer it');
  t.equal(((await call(base, 'GET', `/api/v1/calls/${callId}`, { token: operator })).body as Json)['status'], 'assigned', 'nothing changed');
  const own = await call(base, 'POST', `/api/v1/calls/${callId}/complete`, { token: tokens.doctors['gp1-d2'] as string, body: { diagnosis: 'ОРВИ' } });
  t.equal(own.status, 200, `its own doctor completes it: ${own.text}`);
});

t.test('transfer names a clinic that must exist; an unknown one is 404 and changes nothing', async (t) => {
  const { base, tokens } = server;
  const operator = tokens.operators['gp1'] as string;
  const registered = await call(base, 'POST', '/api/v1/calls', {
    token: operator,
    body: { source: 'call_center', kind: 'primary', patient: patient(), address: { text: 'ул. Мира', house: '5' }, complaints: { text: 'кашель' } },
  });
  const callId = String((registered.body as Json)['id']);
  t.equal((await call(base, 'POST', `/api/v1/calls/${callId}/transfer`, { token: operator, body: { clinicId: 'nowhere', reason: 'адрес' } })).status, 404);
  t.equal(((await call(base, 'GET', `/api/v1/calls/${callId}`, { token: operator })).body as Json)['status'], 'new');
});
