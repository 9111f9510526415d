/**
 * The UI's session as an HttpOnly cookie (docs/security.md): the sign-in with `cookie: true` returns no token,
 * only `Set-Cookie` (HttpOnly, SameSite=Strict, Secure off loopback); the cookie authenticates API reads, writes
 * with the CSRF header only, and the operator socket (from the own origin); sign-out clears and ends it.
 */
import t from 'tap';
import { request } from 'undici';
import { startTestServer } from '../test-server.ts';
import { TestSocket, refusedStatus } from '../ws/ws-test-kit.ts';

t.test('sign-in with cookie: true, then API and socket by the cookie alone', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const password = server.tokens.logins.find((entry) => entry.login === 'operator-gp1')?.password ?? '';
  const signIn = (host?: string) => request(`${server.base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(host === undefined ? {} : { host }) },
    body: JSON.stringify({ login: 'operator-gp1', password, cookie: true }),
  });
  const reply = await signIn();
  t.equal(reply.statusCode, 200);
  const body = (await reply.body.json()) as Record<string, unknown>;
  t.notOk('token' in body, 'no token in the body: scripts never hold it');
  const setCookie = String(reply.headers['set-cookie']);
  t.match(setCookie, /^cd_session=cds_[a-z0-9]{16}_[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/, `loopback: no Secure (${setCookie})`);
  const remote = await signIn('desk.example.org');
  await remote.body.dump();
  t.match(String(remote.headers['set-cookie']), /; Secure$/, 'any other host: Secure');
  const cookie = setCookie.split(';')[0] as string;

  const me = await request(`${server.base}/api/v1/auth/me`, { headers: { cookie } });
  t.equal(me.statusCode, 200);
  t.match(await me.body.json(), { principal: { id: 'u.operator-gp1' } });

  const write = (headers: Record<string, string>) => request(`${server.base}/api/v1/calls`, {
    method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ source: 'call_center', kind: 'primary', patient: { surname: 'Куки', name: 'Анна', birthDate: '1980-02-02', sex: 'F' }, address: { text: 'ул. Мира', house: '1' }, complaints: { text: 'x' } }),
  });
  const forged = await write({});
  t.equal(forged.statusCode, 403, 'a cookie write without the CSRF header is refused');
  t.match(await forged.body.json(), { type: '/problems/csrf' });
  const real = await write({ 'x-requested-with': 'clinic-dispatch' });
  t.equal(real.statusCode, 201, 'with it, the write goes through');
  await real.body.dump();

  const wsUrl = `ws://127.0.0.1:${server.gateway.port}/ws`;
  const socket = await TestSocket.connect(wsUrl, { origin: `http://127.0.0.1:${server.gateway.port}`, codec: 'json', headers: { cookie } });
  t.ok(await socket.next((frame) => frame.type === 'welcome'), 'the socket takes the cookie');
  t.equal(await refusedStatus(wsUrl, { origin: 'https://evil.example.com', headers: { cookie } }), 403, 'not from another origin');

  const out = await request(`${server.base}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, 'x-requested-with': 'clinic-dispatch' } });
  t.equal(out.statusCode, 200);
  t.match(String(out.headers['set-cookie']), /^cd_session=; Max-Age=0;/, 'sign-out clears the cookie');
  await out.body.dump();
  t.equal((await socket.closed).code, 4001, 'and closes the socket');
  const after = await request(`${server.base}/api/v1/auth/me`, { headers: { cookie } });
  t.equal(after.statusCode, 401, 'the cookie no longer works');
  await after.body.dump();
});
