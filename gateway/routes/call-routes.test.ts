import t from 'tap';
import { call, encodeMsgpack, startTestServer, type TestServer } from '../test-server.ts';

let server: TestServer;
t.before(async () => {
  server = await startTestServer();
});
t.teardown(() => server.stop());

let n = 0;
function intake(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  n += 1;
  return {
    source: 'portal',
    kind: 'primary',
    patient: { surname: 'Тестов', name: `Пациент${n}`, birthDate: '1985-03-04', sex: 'F', policy: String(6000000000000000 + n), phone: '+7 (912) 555-00-11' },
    address: { text: 'г. Ярославль, ул. Свободы', house: '10', apartment: '7', floor: 2, intercom: '7В', privateSector: false },
    complaints: { text: 'температура 39', tags: ['temperature'] },
    caller: { type: 'relative', phone: '89120000000', name: 'Дочь' },
    ...overrides,
  };
}

type Json = Record<string, unknown>;

/** Tomorrow or the next Monday-to-Friday date in Moscow, when every demo doctor works. */
function nextWeekday(): string {
  for (let days = 1; ; days += 1) {
    const date = new Date(Date.now() + 3 * 3_600_000 + days * 86_400_000);
    const weekday = date.getUTCDay();
    if (weekday >= 1 && weekday <= 5) return date.toISOString().slice(0, 10);
  }
}

t.test('the call lifecycle over HTTP, with histories and a 201 then 200s', async (t) => {
  const { base, tokens } = server;
  const created = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: intake() });
  t.equal(created.status, 201);
  const body = created.body as Json;
  t.equal(body['status'], 'received');
  t.match(String(body['createdAt']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/, 'ISO time with the clinic offset');
  t.equal(created.headers['location'], `/api/v1/calls/${String(body['id'])}`);
  const id = String(body['id']);
  const operator = tokens.operators['gp1'] as string;
  t.equal((await call(base, 'POST', `/api/v1/calls/${id}/accept`, { token: operator })).status, 200);
  const visitDate = nextWeekday();
  const suggestions = await call(base, 'GET', `/api/v1/calls/${id}/doctor-suggestions?visitDate=${visitDate}`, { token: operator });
  t.equal(suggestions.status, 200);
  const first = (suggestions.body as Json[])[0] as Json;
  t.equal(first['worksOnDate'], true, 'doctors who work that day come first');
  const doctorId = String(first['doctorId']);
  const assigned = await call(base, 'POST', `/api/v1/calls/${id}/assign`, { token: operator, body: { doctorId, visitDate } });
  t.equal(assigned.status, 200, JSON.stringify(assigned.body));
  const done = await call(base, 'POST', `/api/v1/calls/${id}/complete`, { token: tokens.doctors[doctorId] as string, body: { diagnosis: 'J06.9' } });
  t.equal(done.status, 200);
  const fetched = await call(base, 'GET', `/api/v1/calls/${id}`, { token: operator });
  t.same(((fetched.body as Json)['history'] as Json[]).map((h) => h['status']), ['received', 'new', 'assigned', 'completed']);
  const again = await call(base, 'POST', `/api/v1/calls/${id}/cancel`, { token: operator, body: { reason: 'x' } });
  t.equal(again.status, 409, 'completed → cancelled is an illegal transition');
  t.equal(again.headers['content-type'], 'application/problem+json');
  t.equal((again.body as Json)['type'], '/problems/illegal_transition');
});

t.test('search by policy and phone; the board counts', async (t) => {
  const { base, tokens } = server;
  const input = intake({ source: 'call_center' });
  const created = (await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: input })).body as Json;
  const policy = String((input['patient'] as Json)['policy']);
  const byPolicy = await call(base, 'GET', `/api/v1/calls?policy=${policy}`, { token: tokens.partner });
  t.same((byPolicy.body as Json[]).map((c) => c['id']), [created['id']]);
  const byPhone = await call(base, 'GET', `/api/v1/calls?phone=${encodeURIComponent('+79125550011')}&status=new`, { token: tokens.partner });
  t.ok((byPhone.body as Json[]).some((c) => c['id'] === created['id']));
  t.equal((await call(base, 'GET', '/api/v1/calls', { token: tokens.partner })).status, 400, 'policy or phone is required');
  const board = await call(base, 'GET', '/api/v1/clinics/gp1/board', { token: tokens.operators['gp1'] as string });
  t.ok(((board.body as Json)['counters'] as Json)['new'] as number >= 1);
  const list = await call(base, 'GET', '/api/v1/clinics/gp1/calls?status=new&limit=5', { token: tokens.operators['gp1'] as string });
  t.equal(list.status, 200);
  t.equal((await call(base, 'GET', '/api/v1/clinics/gp1/calls?bogus=1', { token: tokens.admin })).status, 400, 'unknown query parameter');
});

t.test('409 for a second open call names the open call', async (t) => {
  const { base, tokens } = server;
  const input = intake();
  const first = (await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: input })).body as Json;
  const second = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: { ...input, source: 'smp' } });
  t.equal(second.status, 409);
  t.equal((second.body as Json)['openCallId'], first['id']);
});

t.test('idempotency: same key and body → the first reply; different body → 422; externalId → the first call', async (t) => {
  const { base, tokens } = server;
  const input = intake();
  const first = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: input, idempotencyKey: 'k-1' });
  const retry = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: input, idempotencyKey: 'k-1' });
  t.equal(retry.status, 201);
  t.equal((retry.body as Json)['id'], (first.body as Json)['id']);
  t.equal((await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: intake(), idempotencyKey: 'k-1' })).status, 422);
  const other = await call(base, 'POST', '/api/v1/calls', { token: tokens.admin, body: intake(), idempotencyKey: 'k-1' });
  t.equal(other.status, 201, "another caller's key space is its own");
  const ext = intake({ externalId: 'rpgu-777' });
  const a = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: ext });
  const b = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: ext });
  t.equal(a.status, 201);
  t.equal(b.status, 200, 'a repeated externalId is a retry');
  t.equal((b.body as Json)['id'], (a.body as Json)['id']);
});

t.test('auth and scope: 401 without a token, 403 across tenants whether or not the resource exists', async (t) => {
  const { base, tokens } = server;
  const created = (await call(base, 'POST', '/api/v1/calls', { token: tokens.operators['gp1'] as string, body: intake({ source: 'registry' }) })).body as Json;
  t.equal(created['clinicId'], 'gp1', 'a clinic operator registers into its clinic');
  t.equal((await call(base, 'GET', `/api/v1/calls/${String(created['id'])}`)).status, 401);
  t.equal((await call(base, 'GET', `/api/v1/calls/${String(created['id'])}`, { token: 'cdt_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status, 401);
  const other = tokens.operators['gp2'] as string;
  const existing = await call(base, 'GET', `/api/v1/calls/${String(created['id'])}`, { token: other });
  const missing = await call(base, 'GET', '/api/v1/calls/gp1.doesnotexist', { token: other });
  t.equal(existing.status, 403);
  t.equal(missing.status, 403);
  t.same(existing.body, missing.body, 'the same answer whether it exists or not');
  t.equal((await call(base, 'GET', '/api/v1/clinics/gp1/board', { token: other })).status, 403);
  t.equal((await call(base, 'POST', '/api/v1/calls', { token: other, body: intake({ clinicId: 'gp1' }) })).status, 403);
  t.equal((await call(base, 'POST', '/api/v1/clinics', { token: other, body: {} })).status, 403, 'admin-only');
  t.equal((await call(base, 'GET', '/api/v1/clinics', { token: other })).status, 200, 'the clinic list is open to every token');
});

t.test('encodings: msgpack in and out carry the same fields; bad bodies are 400, 413, 415', async (t) => {
  const { base, tokens } = server;
  const packed = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, raw: encodeMsgpack(intake()), contentType: 'application/msgpack', accept: 'application/msgpack' });
  t.equal(packed.status, 201);
  t.equal(packed.headers['content-type'], 'application/msgpack');
  t.equal((packed.body as Json)['status'], 'received');
  t.equal((await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, raw: '{"source":', contentType: 'application/json' })).status, 400);
  t.equal((await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, raw: Buffer.from([0xc1, 0xff]), contentType: 'application/msgpack' })).status, 400);
  t.equal((await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, raw: 'x', contentType: 'text/plain' })).status, 415);
  t.equal((await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, raw: 'x'.repeat(300_000) })).status, 413);
  const unknown = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: { ...intake(), vip: true } });
  t.equal(unknown.status, 400, 'unknown fields are refused');
  const wrong = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: intake({ kind: 'vip' }) });
  t.equal(wrong.status, 400);
  t.ok(((wrong.body as Json)['errors'] as Json[]).some((e) => e['path'] === '/kind'), 'the problem names the field');
  const domain = await call(base, 'POST', '/api/v1/calls', { token: tokens.partner, body: intake({ patient: { surname: 'А', name: 'Б', birthDate: '2099-01-01', sex: 'M' } }) });
  t.equal(domain.status, 400);
  t.equal(((domain.body as Json)['errors'] as Json[])[0]?.['path'], '/patient/birthDate');
});

t.test('rate limit: 429 with Retry-After', async (t) => {
  const limited = await startTestServer({ requestsPerSecond: 1, burst: 3 });
  t.teardown(() => limited.stop());
  const statuses: number[] = [];
  let retryAfter: unknown;
  for (let i = 0; i < 6; i += 1) {
    const response = await call(limited.base, 'GET', '/api/v1/clinics', { token: limited.tokens.partner });
    statuses.push(response.status);
    if (response.status === 429) retryAfter = response.headers['retry-after'];
  }
  t.same(statuses.slice(0, 3), [200, 200, 200]);
  t.ok(statuses.includes(429));
  t.match(String(retryAfter), /^\d+$/);
});

t.test('directory, openapi, health and metrics', async (t) => {
  const { base, tokens } = server;
  const clinics = await call(base, 'GET', '/api/v1/clinics?name=%D0%97%D0%B0%D0%B2%D0%BE%D0%BB%D0%B6', { token: tokens.doctors['gp1-d1'] as string });
  t.same((clinics.body as Json[]).map((c) => c['id']), ['gp3']);
  const doctors = await call(base, 'GET', '/api/v1/clinics/gp1/doctors', { token: tokens.partner });
  t.ok((doctors.body as Json[]).every((d) => typeof d['specialty'] === 'string' && Array.isArray(d['districts'])));
  const openapi = await call(base, 'GET', '/api/v1/openapi.json');
  const paths = (openapi.body as Json)['paths'] as Json;
  for (const path of ['/api/v1/calls', '/api/v1/calls/{id}', '/api/v1/calls/{id}/assign', '/api/v1/clinics/{id}/board', '/api/v1/clinics']) t.ok(path in paths, path);
  t.equal((await call(base, 'GET', '/healthz')).status, 200);
  const metrics = await call(server.metricsBase, 'GET', '/metrics');
  t.match(metrics.text, /cd_http_requests_total\{operation="registerCall",status="201"\}/);
  t.match(metrics.text, /cd_event_loop_delay_seconds/);
  t.equal((await call(base, 'GET', '/api/v1/nothing', { token: tokens.partner })).status, 404);
});
