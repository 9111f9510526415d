// Sign-in for the operator UI over the real gateway: demo logins, sessions accepted by the API and the
// socket, sign-out, expiry, the per-login attempt limit, user administration and the admin-only stats.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { call, startTestServer, type TestServer } from '../test-server.ts';
import { gatewayExtensions } from '../extensions.ts';
import { TestSocket } from '../ws/ws-test-kit.ts';
import { failuresMax } from './login-limiter.ts';
import { createUiExtension, uiExtension } from './ui-extension.ts';

interface SessionBody {
  readonly token: string;
  readonly expiresAt: string;
  readonly principal: { readonly id: string; readonly role: string };
  readonly user: { readonly login: string; readonly clinicId?: string };
}

const signIn = (server: TestServer, login: string, password: string) => call(server.base, 'POST', '/api/v1/auth/login', { body: { login, password } });
const demoPassword = (server: TestServer, login: string): string => server.tokens.logins.find((entry) => entry.login === login)?.password ?? '';

t.test('demo logins sign in; the session works on the API and the socket; sign-out ends it', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  t.same(server.tokens.logins.map((entry) => [entry.login, entry.role, entry.clinicId]), [
    ['admin', 'admin', 'gp1'], ['operator-gp1', 'operator', 'gp1'], ['operator-gp2', 'operator', 'gp2'], ['operator-gp3', 'operator', 'gp3'], ['doctor-gp1-d1', 'doctor', 'gp1'],
  ], 'an admin, one operator per clinic and a doctor');
  const reply = await signIn(server, 'operator-gp1', demoPassword(server, 'operator-gp1'));
  t.equal(reply.status, 200);
  const session = reply.body as SessionBody;
  t.match(session.token, /^cds_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
  t.equal(session.principal.id, 'u.operator-gp1', 'histories name the user, not the session');
  t.equal((await call(server.base, 'GET', '/api/v1/clinics/gp1/board', { token: session.token })).status, 200);
  t.equal((await call(server.base, 'GET', '/api/v1/clinics/gp2/board', { token: session.token })).status, 403, 'scoped to its clinic');
  const me = await call(server.base, 'GET', '/api/v1/auth/me', { token: session.token });
  t.match(me.body, { principal: { id: 'u.operator-gp1' }, user: { login: 'operator-gp1', clinicId: 'gp1' } });
  const socket = await TestSocket.connect(`ws://127.0.0.1:${server.gateway.port}/ws`, { token: session.token, via: 'protocol', codec: 'json' });
  const welcome = await socket.next((frame) => frame.type === 'welcome');
  t.match(welcome, { principal: { id: 'u.operator-gp1', role: 'operator' } }, 'the socket accepts the session');
  t.equal((await call(server.base, 'POST', '/api/v1/auth/logout', { token: session.token })).status, 200);
  t.equal((await call(server.base, 'GET', '/api/v1/clinics/gp1/board', { token: session.token })).status, 401, 'signed out: the token no longer works');
  socket.send({ type: 'command', requestId: 'r1', command: { type: 'AcceptCall', callId: 'gp1.x' } });
  t.equal((await socket.closed).code, 4001, 'and the open socket closes at its next command');
  const sessionNever = await call(server.base, 'POST', '/api/v1/auth/logout', { token: server.tokens.operators['gp1'] ?? '' });
  t.same(sessionNever.body, { signedOut: false }, 'an API token is not a session to end');
});

t.test('passwords are stored only as scrypt hashes', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  // Every file, the segment log's in log/ too (its entries must not carry a password either).
  const files = readdirSync(server.dataDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== 'demo-tokens.json')
    .map((entry) => relative(server.dataDir, join(entry.parentPath, entry.name)));
  t.ok(files.some((name) => name.startsWith('log/')), 'the segment log files are read too');
  t.ok(files.includes('data.mdb'), 'the LMDB file is there');
  for (const name of files) {
    const bytes = readFileSync(join(server.dataDir, name));
    for (const entry of server.tokens.logins) t.equal(bytes.includes(Buffer.from(entry.password)), false, `${entry.login}'s password is not in ${name}`);
  }
  t.ok(readFileSync(join(server.dataDir, 'data.mdb')).includes(Buffer.from('scrypt$16384$8$1$')), 'the hashes are');
});

t.test('wrong passwords: the same 401 for a known and an unknown login, then 429 per login', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const unknown = await signIn(server, 'nobody-here', 'whatever-password');
  const wrong = await signIn(server, 'operator-gp2', 'wrong-password');
  t.equal(unknown.status, 401);
  t.equal(wrong.status, 401);
  t.equal((unknown.body as { detail: string }).detail, (wrong.body as { detail: string }).detail, 'nothing tells the two apart');
  for (let attempt = 2; attempt <= failuresMax; attempt += 1) t.equal((await signIn(server, 'operator-gp2', 'wrong-password')).status, 401);
  const locked = await signIn(server, 'operator-gp2', demoPassword(server, 'operator-gp2'));
  t.equal(locked.status, 429, 'locked even with the right password');
  t.ok(Number(locked.headers['retry-after']) > 0, 'with Retry-After');
  t.equal((await signIn(server, 'operator-gp3', demoPassword(server, 'operator-gp3'))).status, 200, 'other logins are not affected');
});

t.test('sessions expire', async (t) => {
  const extensions = gatewayExtensions.map((extension) => (extension === uiExtension ? createUiExtension({ sessionTtlMs: 300 }) : extension));
  const server = await startTestServer({ extensions });
  t.teardown(() => server.stop());
  const session = (await signIn(server, 'operator-gp1', demoPassword(server, 'operator-gp1'))).body as SessionBody;
  t.equal((await call(server.base, 'GET', '/api/v1/auth/me', { token: session.token })).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.equal((await call(server.base, 'GET', '/api/v1/auth/me', { token: session.token })).status, 401, 'past its expiry');
});

t.test('an admin creates, changes, disables and enables users; nobody else may', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const admin = server.tokens.admin;
  const create = (body: Record<string, unknown>, token = admin) => call(server.base, 'POST', '/api/v1/admin/users', { token, body });
  t.equal((await create({ login: 'nurse-gp2', password: 'long-enough-pw', role: 'operator', clinicId: 'gp2' })).status, 201);
  t.equal((await create({ login: 'nurse-gp2', password: 'long-enough-pw', role: 'operator', clinicId: 'gp2' })).status, 409, 'a login is unique');
  t.equal((await create({ login: 'x-gp9', password: 'long-enough-pw', role: 'operator', clinicId: 'gp9' })).status, 400, 'the clinic must exist');
  t.equal((await create({ login: 'doc-gp2', password: 'long-enough-pw', role: 'doctor', clinicId: 'gp2' })).status, 400, 'a doctor login names the doctor');
  t.equal((await create({ login: 'doc-gp2', password: 'long-enough-pw', role: 'doctor', clinicId: 'gp2', doctorId: 'gp1-d1' })).status, 400, 'of that clinic');
  t.equal((await create({ login: 'doc-gp2', password: 'short', role: 'operator', clinicId: 'gp2' })).status, 400, 'passwords of 8 characters or more');
  t.equal((await create({ login: 'doc-gp2', password: 'long-enough-pw', role: 'doctor', clinicId: 'gp2', doctorId: 'gp2-d1' })).status, 201);
  t.equal((await create({ login: 'sneaky', password: 'long-enough-pw', role: 'admin' }, server.tokens.operators['gp1'])).status, 403, 'operators may not');
  const session = (await signIn(server, 'nurse-gp2', 'long-enough-pw')).body as SessionBody;
  t.equal((await create({ login: 'sneaky', password: 'long-enough-pw', role: 'admin' }, session.token)).status, 403, 'nor may their sessions');
  t.equal((await call(server.base, 'GET', '/api/v1/admin/stats', { token: session.token })).status, 403, 'the stats are admin-only');
  const moved = await call(server.base, 'POST', '/api/v1/admin/users/nurse-gp2', { token: admin, body: { clinicId: 'gp3' } });
  t.match(moved.body, { login: 'nurse-gp2', clinicId: 'gp3', sessionsClosed: 1 }, 'moving a user signs its sessions out');
  t.equal((await call(server.base, 'GET', '/api/v1/auth/me', { token: session.token })).status, 401);
  const again = (await signIn(server, 'nurse-gp2', 'long-enough-pw')).body as SessionBody;
  t.equal((await call(server.base, 'GET', '/api/v1/clinics/gp3/board', { token: again.token })).status, 200, 'the new session sees the new clinic');
  t.match((await call(server.base, 'POST', '/api/v1/admin/users/nurse-gp2/disable', { token: admin })).body, { disabled: true, sessionsClosed: 1 });
  t.equal((await call(server.base, 'GET', '/api/v1/auth/me', { token: again.token })).status, 401, 'disabling ends its sessions');
  t.equal((await signIn(server, 'nurse-gp2', 'long-enough-pw')).status, 401, 'and its sign-in');
  t.equal((await call(server.base, 'POST', '/api/v1/admin/users/nurse-gp2/enable', { token: admin })).status, 200);
  t.equal((await signIn(server, 'nurse-gp2', 'long-enough-pw')).status, 200, 'enabled again');
  const list = await call(server.base, 'GET', '/api/v1/admin/users', { token: admin });
  t.ok((list.body as Array<Record<string, unknown>>).every((user) => !('passwordHash' in user)), 'the list never shows hashes');
  t.equal((await call(server.base, 'POST', '/api/v1/admin/users/ghost/disable', { token: admin })).status, 404);
});

t.test('the admin stats carry latency percentiles per API method', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  for (let index = 0; index < 5; index += 1) await call(server.base, 'GET', '/api/v1/clinics/gp1/board', { token: server.tokens.admin });
  const stats = await call(server.base, 'GET', '/api/v1/admin/stats', { token: server.tokens.admin });
  t.equal(stats.status, 200);
  const body = stats.body as { http: Array<{ name: string; count: number; p50Ms: number; p99Ms: number }>; connections: number; eventLoopDelayMs: { p99: number } };
  const board = body.http.find((row) => row.name === 'clinicBoard');
  t.equal(board?.count, 5);
  t.ok((board?.p50Ms ?? -1) >= 0 && (board?.p99Ms ?? -1) >= (board?.p50Ms ?? 0), 'p99 ≥ p50 ≥ 0');
  t.equal(body.connections, 0);
  t.ok(body.eventLoopDelayMs.p99 >= 0);
});
