/**
 * The one start-up path (gateway/start-server.ts), issue 13 defects 2 and 5:
 * - /healthz and /readyz answer 503 `starting` until the server serves everything, the demo region and
 *   demo-tokens.json included, and 200 from then on;
 * - the settings extensions use (WORKERS, DATABASE_URL, ...) come from the validated configuration, not from
 *   process.env read again at import time.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { gatewayExtensions } from './extensions.ts';
import type { GatewayExtension } from './server.ts';
import { call, freePort, startTestServer } from './test-server.ts';


async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await request(url);
  return { status: response.statusCode, body: await response.body.text() };
}

t.test('ready means ready: 503 starting until the start-up checks pass, the demo seeded before; 200 after', async (t) => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let checkStarted: () => void = () => undefined;
  const checking = new Promise<void>((resolve) => { checkStarted = resolve; });
  let dataDir = '';
  // An extension whose start-up check the test holds open, to look at the server in between.
  const held: GatewayExtension = (context) => {
    dataDir = context.host.environment.path;
    context.beforeReady(async () => {
      checkStarted();
      await gate;
    });
  };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = startTestServer({ extensions: [...gatewayExtensions, held], settings: { PORT: String(port) } });
  await checking;
  const healthz = await get(`${base}/healthz`);
  const readyz = await get(`${base}/readyz`);
  t.equal(healthz.status, 503, 'not healthy while starting');
  t.same(JSON.parse(healthz.body), { status: 'starting' });
  t.equal(readyz.status, 503, 'not ready while starting');
  t.ok(existsSync(join(dataDir, 'demo-tokens.json')), 'the demo and its tokens come before the start-up checks');
  release();
  const server = await started;
  t.teardown(() => server.stop());
  t.equal((await get(`${base}/healthz`)).status, 200, 'healthy once started');
  t.equal((await get(`${base}/readyz`)).status, 200, 'ready once started');
});

t.test('the worker pool and Postgres read the validated configuration, never process.env at import time', async (t) => {
  process.env['WORKERS'] = '3';
  t.teardown(() => { delete process.env['WORKERS']; });
  const one = await startTestServer({ settings: { WORKERS: '1' } });
  t.teardown(() => one.stop());
  t.equal(one.config.workers, 1);
  const metrics = await call(one.metricsBase, 'GET', '/metrics');
  t.match(metrics.text, /^cd_worker_threads 1$/m, 'WORKERS from the configuration sizes the pool');
  const two = await startTestServer({ settings: { WORKERS: '2' } });
  t.teardown(() => two.stop());
  t.match((await call(two.metricsBase, 'GET', '/metrics')).text, /^cd_worker_threads 2$/m, 'each server its own setting, in one process');
});
