/**
 * Security headers (docs/security.md): API replies are never sniffed nor stored; the route sheet's HTML runs no
 * script and loads nothing; the UI's CSP lets its pages connect only to their own origin (HTTP and WebSocket).
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { gatewayExtensions } from './extensions.ts';
import { call, startTestServer } from './test-server.ts';
import { createUiExtension, uiExtension } from './ui/ui-extension.ts';

t.test('API replies: nosniff and no-store, on success and on problems; the route sheet HTML has a CSP', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ui</title><div id="app"></div>');
  const extensions = gatewayExtensions.map((extension) => (extension === uiExtension ? createUiExtension({ distDir: dir }) : extension));
  const server = await startTestServer({ extensions });
  t.teardown(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const [what, reply] of [
    ['a 200', await call(server.base, 'GET', '/api/v1/clinics/gp1/board', { token: server.tokens.operators['gp1'] as string })],
    ['a 403', await call(server.base, 'GET', '/api/v1/clinics/gp2/board', { token: server.tokens.operators['gp1'] as string })],
    ['a 401', await call(server.base, 'GET', '/api/v1/clinics/gp1/board')],
  ] as const) {
    t.equal(reply.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
    t.equal(reply.headers['cache-control'], 'no-store', `${what}: no-store`);
  }
  const today = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(0, 10);
  const sheet = await call(server.base, 'GET', `/api/v1/doctors/gp1-d1/route-sheet?date=${today}&format=html`, { token: server.tokens.doctors['gp1-d1'] as string });
  t.equal(sheet.status, 200, sheet.text.slice(0, 200));
  t.match(String(sheet.headers['content-type']), /text\/html/);
  const csp = String(sheet.headers['content-security-policy']);
  t.match(csp, /default-src 'none'/, 'the route sheet loads nothing');
  t.notMatch(csp, /script-src/, 'and runs no script');
  t.match(csp, /frame-ancestors 'none'/);

  const page = await request(`${server.base}/`);
  await page.body.text();
  const uiCsp = String(page.headers['content-security-policy']);
  const connect = /connect-src ([^;]*)/.exec(uiCsp)?.[1] ?? '';
  t.same(connect.split(' ').sort(), ["'self'", `ws://127.0.0.1:${server.gateway.port}`, `wss://127.0.0.1:${server.gateway.port}`].sort(), `the UI connects to its own origin only: ${connect}`);
});
