/**
 * Holds belong to the principal that took them (docs/security.md, item 2): their ids are 128 random bits made by
 * the gateway, and a known (stolen, guessed) hold id books, reschedules into or releases nothing for anyone else.
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
  return { surname: 'Холдов', name: `Пациент${n}`, birthDate: '1982-05-06', sex: 'M', phone: `+7912900${String(n).padStart(4, '0')}` };
}

async function freeSlots(doctorId: string): Promise<Json[]> {
  const response = await call(server.base, 'GET', `/api/v1/slots?doctorId=${doctorId}&status=free&limit=50`, { token: server.tokens.admin });
  return (response.body as Json[]).filter((slot) => Date.parse(String(slot['start'])) > Date.now() + 3_600_000);
}

t.test('hold ids are 128 random bits, not a counter', async (t) => {
  const slots = await freeSlots('gp1-d4');
  const operator = server.tokens.operators['gp1'] as string;
  const ids: string[] = [];
  for (const slot of slots.slice(0, 3)) {
    const hold = await call(server.base, 'POST', `/api/v1/slots/${String(slot['id'])}/hold`, { token: operator });
    t.equal(hold.status, 201, hold.text);
    ids.push(String((hold.body as Json)['holdId']));
    await call(server.base, 'DELETE', `/api/v1/slots/${String(slot['id'])}/hold`, { token: operator });
  }
  for (const id of ids) t.match(id, /^[A-Za-z0-9_-]{22}$/, `${id} is 22 base64url characters (16 bytes)`);
  const decoded = ids.map((id) => Buffer.from(id, 'base64url'));
  t.ok(decoded.every((bytes) => bytes.length === 16));
  // Consecutive counter ids share a long prefix; random ones share about 1/64 of a character.
  const sharedPrefix = (a: string, b: string) => [...a].findIndex((char, index) => char !== b[index]);
  t.ok(sharedPrefix(ids[0] as string, ids[1] as string) < 4 && sharedPrefix(ids[1] as string, ids[2] as string) < 4, `no common prefix: ${ids.join(' ')}`);
});

t.test('a hold id presented by another principal books nothing, moves nothing in, releases nothing', async (t) => {
  const { base, tokens } = server;
  const [target, start] = await freeSlots('gp1-d3') as [Json, Json];
  const operator = tokens.operators['gp1'] as string;
  const hold = await call(base, 'POST', `/api/v1/slots/${String(target['id'])}/hold`, { token: operator });
  t.equal(hold.status, 201, hold.text);
  const holdId = String((hold.body as Json)['holdId']);

  const stolenBook = await call(base, 'POST', '/api/v1/appointments', { token: tokens.partner, body: { slotId: target['id'], holdId, patient: patient(), source: 'portal' } });
  t.equal(stolenBook.status, 409, `the partner cannot book the operator's hold with its id: ${stolenBook.text}`);

  const partnerBooked = await call(base, 'POST', '/api/v1/appointments', { token: tokens.partner, body: { slotId: start['id'], patient: patient(), source: 'portal' } });
  t.equal(partnerBooked.status, 201, partnerBooked.text);
  const stolenMove = await call(base, 'POST', `/api/v1/appointments/${String((partnerBooked.body as Json)['id'])}/reschedule`, { token: tokens.partner, body: { slotId: target['id'], holdId } });
  t.equal(stolenMove.status, 409, `nor reschedule into it: ${stolenMove.text}`);

  const release = await call(base, 'DELETE', `/api/v1/slots/${String(target['id'])}/hold`, { token: tokens.admin });
  t.equal(release.status, 409, 'nor can another principal release it');
  const renew = await call(base, 'POST', `/api/v1/slots/${String(target['id'])}/hold`, { token: tokens.admin });
  t.equal(renew.status, 409, 'nor renew it');

  const own = await call(base, 'POST', '/api/v1/appointments', { token: operator, body: { slotId: target['id'], holdId, patient: patient(), source: 'registry' } });
  t.equal(own.status, 201, `the holder books it: ${own.text}`);
});
