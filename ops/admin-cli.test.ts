/**
 * Issue 13, defect 6: with DEMO=false there was no way to a first admin. `npm run admin` (the real npm script)
 * against a real server process on a fresh data directory without the demo:
 * - `user create` works beside the running server (it reads users from LMDB at each sign-in): sign in at once;
 * - `token issue` refuses while the server holds the directory (its token cache would not see it), works once
 *   it is stopped, and the next start accepts the token; `token list` never shows a secret or hash;
 *   `token revoke` disables it; bad arguments are one-line messages with exit 2.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { repoDir, startServerProcess, stopServerProcess } from './server-process.ts';

function admin(args: readonly string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('npm', ['run', '-s', 'admin', '--', ...args], { cwd: repoDir }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

async function status(base: string, path: string, init: { token?: string; body?: unknown } = {}): Promise<number> {
  const response = await request(`${base}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  await response.body.dump();
  return response.statusCode;
}

t.test('the first admin of a data directory without the demo', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-admin-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const dir = ['--data-dir', dataDir];
  t.equal((await admin(['token', 'list', ...dir])).code, 2, 'no data directory yet: refused');

  let server = await startServerProcess(dataDir, { DEMO: 'false' });
  t.teardown(async () => { await stopServerProcess(server); });

  const user = await admin(['user', 'create', '--login', 'root', '--role', 'admin', '--password-stdin', ...dir], 'correct horse battery\n');
  t.equal(user.code, 0, user.stderr);
  t.match(JSON.parse(user.stdout), { user: { login: 'root', role: 'admin' } });
  t.notMatch(user.stdout, /correct horse/, 'a given password is not echoed');
  t.equal(await status(server.base, '/api/v1/auth/login', { body: { login: 'root', password: 'correct horse battery' } }), 200, 'the running server signs the new admin in at once');

  const refused = await admin(['token', 'issue', '--role', 'admin', '--label', 'ops', ...dir]);
  t.equal(refused.code, 2, 'token issue refuses while the server runs');
  t.match(refused.stderr, /is open in process \d+.*caches tokens at start/);

  t.equal(await stopServerProcess(server), 0);
  const issued = await admin(['token', 'issue', '--role', 'admin', '--label', 'ops', ...dir]);
  t.equal(issued.code, 0, issued.stderr);
  const { token, id } = JSON.parse(issued.stdout) as { token: string; id: string };
  t.match(token, /^cdt_[a-z0-9]{16}_/);
  const listed = await admin(['token', 'list', ...dir]);
  t.match(JSON.parse(listed.stdout.trim().split('\n')[0] ?? '{}'), { id, role: 'admin', label: 'ops', disabled: false, scope: { kind: 'region' } });
  t.notMatch(listed.stdout, new RegExp(token.slice(22)), 'the list holds no secret');
  t.notMatch(listed.stdout, /secretHash/, 'nor its hash');
  t.equal((await admin(['token', 'issue', '--role', 'operator', '--label', 'x', '--clinic', 'gp1', ...dir])).code, 2, 'no such clinic without the demo: refused');
  t.match((await admin(['token', 'isue', ...dir])).stderr, /unknown command "token isue"/);
  t.match((await admin(['token', 'issue', '--role', 'admin', '--lable', 'x', ...dir])).stderr, /Unknown option '--lable'/);

  server = await startServerProcess(dataDir, { DEMO: 'false' });
  t.equal(await status(server.base, '/api/v1/clinics', { token }), 200, 'the next start accepts the issued token');
  t.equal(await stopServerProcess(server), 0);
  const revoked = await admin(['token', 'revoke', '--id', id, ...dir]);
  t.equal(revoked.code, 0, revoked.stderr);
  t.match(JSON.parse((await admin(['token', 'list', ...dir])).stdout.trim()), { id, disabled: true });
});
