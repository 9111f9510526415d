/**
 * The sign-in limit over the real gateway (docs/security.md, item 4): 200 concurrent guesses of one login get at
 * most `failuresMax` password checks (the rest are 429 before any scrypt work), and an admin's unlock lets the
 * owner in at once instead of waiting out the delay.
 */
import t from 'tap';
import { call, startTestServer } from '../test-server.ts';
import { failuresMax } from './login-limiter.ts';

t.test('200 concurrent wrong passwords: at most failuresMax are evaluated; an admin unlock lets the owner in', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const login = 'operator-gp2';
  const password = server.tokens.logins.find((entry) => entry.login === login)?.password ?? '';
  const replies = await Promise.all(Array.from({ length: 200 }, (_, index) => call(server.base, 'POST', '/api/v1/auth/login', { body: { login, password: `guess-${index}-xxxx` } })));
  const statuses = replies.map((reply) => reply.status);
  const evaluated = statuses.filter((status) => status === 401).length;
  t.ok(evaluated <= failuresMax, `${evaluated} guesses were checked (at most ${failuresMax})`);
  t.ok(statuses.every((status) => status === 401 || status === 429 || status === 503), 'the others are refused before any work');
  t.ok(replies.filter((reply) => reply.status === 429).every((reply) => Number(reply.headers['retry-after']) >= 1), 'with Retry-After');
  const locked = await call(server.base, 'POST', '/api/v1/auth/login', { body: { login, password } });
  t.equal(locked.status, 429, 'the right password waits out the delay too');
  const unlock = await call(server.base, 'POST', `/api/v1/admin/users/${login}/unlock`, { token: server.tokens.admin });
  t.equal(unlock.status, 200, unlock.text);
  t.equal((await call(server.base, 'POST', `/api/v1/admin/users/${login}/unlock`, { token: server.tokens.operators['gp1'] as string })).status, 403, 'only an admin unlocks');
  const signedIn = await call(server.base, 'POST', '/api/v1/auth/login', { body: { login, password } });
  t.equal(signedIn.status, 200, 'the owner signs in at once after the unlock');
});
