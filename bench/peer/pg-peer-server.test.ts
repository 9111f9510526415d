import pg from 'pg';
import t from 'tap';
import { peerDoctorId, peerPatientPolicy, peerSlotId } from './pg-peer-schema.ts';
import { defaultDatabaseUrl, resetPeerSchema, startPgPeer } from './pg-peer-server.ts';

// A schema of its own, so a bench run's `peer_bench` is never clobbered by the tests.
const schema = 'peer_bench_test';
const databaseUrl = process.env['DATABASE_URL'] ?? defaultDatabaseUrl;
const seed = { clinics: 2, doctorsPerClinic: 3, slotsPerDoctor: 48, patients: 200 };

interface Answer {
  readonly status: number;
  readonly body: { readonly [key: string]: unknown };
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const seeded = await resetPeerSchema(pool, seed, { schema });
const peer = await startPgPeer({ port: 0, databaseUrl, poolSize: 10, schema });
t.teardown(async () => {
  await peer.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${peer.port}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const parsed: unknown = await response.json();
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as { readonly [key: string]: unknown }) : {};
  return { status: response.status, body: Array.isArray(parsed) ? { items: parsed } : record };
}

function patient(number: number): { readonly [key: string]: unknown } {
  return { policy: peerPatientPolicy(number), surname: `Surname${number}`, name: `Name${number}`,
    birthDate: '1960-05-01', sex: 'F' };
}

function homeCall(number: number, source = 'call_center'): { readonly [key: string]: unknown } {
  return { source, kind: 'primary', patient: patient(number), address: { text: 'Lenina 1, apt 2' },
    complaints: { text: 'fever 38.5' } };
}

t.equal(seeded.slots, 2 * 3 * 48);

t.test('one open call per patient: the second registration is 409 and names the open call', async (t) => {
  const first = await call('POST', '/api/v1/calls', homeCall(1));
  t.equal(first.status, 201);
  t.equal(first.body['status'], 'new');
  t.equal(first.body['clinicId'], 'c1', 'resolved from the patient when no clinicId is given');
  t.type(first.body['number'], 'number');
  const second = await call('POST', '/api/v1/calls', homeCall(1));
  t.equal(second.status, 409);
  t.equal(second.body['openCallId'], first.body['id']);
  const fromPortal = await call('POST', '/api/v1/calls', homeCall(2, 'portal'));
  t.equal(fromPortal.body['status'], 'received', 'portal calls wait for an operator check');
});

t.test('assign locks the call and checks its status and the doctor', async (t) => {
  const created = await call('POST', '/api/v1/calls', homeCall(3));
  const id = String(created.body['id']);
  const assigned = await call('POST', `/api/v1/calls/${id}/assign`, { doctorId: peerDoctorId(1, 1), visitDate: '2026-11-23' });
  t.equal(assigned.status, 200);
  t.equal(assigned.body['status'], 'assigned');
  const otherClinic = await call('POST', `/api/v1/calls/${id}/assign`, { doctorId: peerDoctorId(2, 1), visitDate: '2026-11-23' });
  t.equal(otherClinic.status, 409);
  t.equal((await call('POST', '/api/v1/calls/999999/assign', { doctorId: 'c1-d1', visitDate: '2026-11-23' })).status, 404);
  t.equal((await call('POST', `/api/v1/calls/${id}/assign`, { doctorId: 'c1-d1' })).status, 400);
  const received = await call('POST', '/api/v1/calls', homeCall(5, 'smp'));
  const receivedId = String(received.body['id']);
  t.equal((await call('POST', `/api/v1/calls/${receivedId}/assign`, { doctorId: 'c1-d1', visitDate: '2026-11-23' })).status,
    409, 'a received call must be accepted first');
  t.equal((await call('POST', `/api/v1/calls/${receivedId}/accept`)).status, 200);
  t.equal((await call('POST', `/api/v1/calls/${receivedId}/assign`, { doctorId: 'c1-d2', visitDate: '2026-11-23' })).status, 200);
});

t.test('hold, then book with the hold; others get 409', async (t) => {
  const slotId = peerSlotId(1, 1, 1);
  const hold = await call('POST', `/api/v1/slots/${slotId}/hold`);
  t.equal(hold.status, 201);
  t.type(hold.body['holdId'], 'string');
  t.ok(Date.parse(String(hold.body['expiresAt'])) > Date.now());
  t.equal((await call('POST', `/api/v1/slots/${slotId}/hold`)).status, 409, 'a held slot cannot be held again');
  const booking = { slotId, patient: patient(7), source: 'registry' };
  t.equal((await call('POST', '/api/v1/appointments', booking)).status, 409, 'held by another hold');
  const booked = await call('POST', '/api/v1/appointments', { ...booking, holdId: hold.body['holdId'] });
  t.equal(booked.status, 201);
  t.equal(booked.body['status'], 'booked');
  t.equal((await call('POST', '/api/v1/slots/nope/hold')).status, 404);
  const free = await call('GET', `/api/v1/slots?doctorId=${peerDoctorId(1, 1)}&from=2026-11-23T00:00:00%2B03:00&to=2026-11-24T00:00:00%2B03:00&status=free`);
  t.equal(free.status, 200);
  const items = free.body['items'];
  t.ok(Array.isArray(items) && items.length === 23, 'the booked slot is no longer free (24 a day, one booked)');
  const all = await call('GET', `/api/v1/slots?clinicId=c1&from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z`);
  t.ok(Array.isArray(all.body['items']) && (all.body['items'] as unknown[]).length === 3 * 24);
  t.equal((await call('GET', '/api/v1/slots?from=x')).status, 400);
});

t.test('50 concurrent bookings of one slot: exactly one 201', async (t) => {
  const slotId = peerSlotId(2, 3, 10);
  const answers = await Promise.all(Array.from({ length: 50 }, (_, index) =>
    call('POST', '/api/v1/appointments', { slotId, patient: patient(100 + index), source: 'portal' })));
  const statuses = answers.map((answer) => answer.status);
  t.equal(statuses.filter((status) => status === 201).length, 1);
  t.equal(statuses.filter((status) => status === 409).length, 49);
  const stored = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.appointments WHERE slot_id = $1`, [slotId]);
  t.equal(stored.rows[0]?.n, 1, 'one appointment row in the database');
  t.equal(peer.stats().serverErrors, 0);
});
