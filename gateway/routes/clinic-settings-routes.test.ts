// The clinic's district names and calendar settings over the partner API: names for the desk, the check-in window
// read and changed by an admin (refused to an operator, and out of bounds with a problem that changes nothing).
import t from 'tap';
import { call, startTestServer, type TestServer } from '../test-server.ts';

let server: TestServer;
t.before(async () => {
  server = await startTestServer();
});
t.teardown(() => server.stop());

type Json = Record<string, unknown>;

t.test('districts by id and name, for the clinic the caller may see', async (t) => {
  const { base, tokens } = server;
  const districts = await call(base, 'GET', '/api/v1/clinics/gp1/districts', { token: tokens.operators['gp1'] as string });
  t.equal(districts.status, 200);
  t.ok((districts.body as Json[]).some((d) => d['id'] === 'gp1-a1' && d['name'] === 'Терапевтический участок 1'), 'the id and its name');
  t.ok((districts.body as Json[]).every((d) => String(d['id']).startsWith('gp1-')), 'only this clinic');
  t.equal((await call(base, 'GET', '/api/v1/clinics/gp2/districts', { token: tokens.operators['gp1'] as string })).status, 403, "not another clinic's");
});

t.test('the check-in window: 60 minutes by default, an admin changes it, bad values change nothing', async (t) => {
  const { base, tokens } = server;
  const read = async (): Promise<Json> => (await call(base, 'GET', '/api/v1/clinics/gp1/calendar-settings', { token: tokens.operators['gp1'] as string })).body as Json;
  t.match(await read(), { clinicId: 'gp1', checkInOpensMinutesBefore: 60, holdTtlMinutes: 5 });
  const changed = await call(base, 'POST', '/api/v1/clinics/gp1/calendar-settings', { token: tokens.admin, body: { checkInOpensMinutesBefore: 30 } });
  t.equal(changed.status, 200, changed.text);
  t.match(changed.body, { checkInOpensMinutesBefore: 30, holdTtlMinutes: 5 }, 'only the named field changes');
  t.equal(server.host.read.doctor('gp1-d1')?.calendar.settings.checkInOpensMinutesBefore, 30, 'the doctors follow');
  const operator = await call(base, 'POST', '/api/v1/clinics/gp1/calendar-settings', { token: tokens.operators['gp1'] as string, body: { checkInOpensMinutesBefore: 10 } });
  t.equal(operator.status, 403, 'an operator may not');
  const bad = await call(base, 'POST', '/api/v1/clinics/gp1/calendar-settings', { token: tokens.admin, body: { checkInOpensMinutesBefore: 0 } });
  t.equal(bad.status, 400);
  t.match(bad.headers['content-type'], /application\/problem\+json/);
  t.match(bad.text, /checkInOpensMinutesBefore must be 1\.\.720/);
  t.equal((await call(base, 'POST', '/api/v1/clinics/gp1/calendar-settings', { token: tokens.admin, body: { nonsense: 1 } })).status, 400, 'an unknown field is refused');
  t.match(await read(), { checkInOpensMinutesBefore: 30 }, 'the refused requests changed nothing');
});
