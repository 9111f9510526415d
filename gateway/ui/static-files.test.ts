// The built UI served at `/`: content types, caching, the SPA fallback, and the API's own 404 kept.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { gatewayExtensions } from '../extensions.ts';
import { startTestServer } from '../test-server.ts';
import { StaticSite } from './static-files.ts';
import { createUiExtension, uiExtension } from './ui-extension.ts';

function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cd-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ui</title><div id="app"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  return dir;
}

t.test('StaticSite: files by path, app routes to index.html, missing assets stay missing', async (t) => {
  const dir = fakeDist();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = new StaticSite(dir);
  t.match(site.lookup('/'), { contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
  t.match(site.lookup('/assets/index-abc123.js'), { contentType: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=31536000, immutable' });
  t.match(site.lookup('/favicon.svg'), { contentType: 'image/svg+xml' });
  t.equal(site.lookup('/calendar')?.contentType, 'text/html; charset=utf-8', 'an app route gets the app');
  t.equal(site.lookup('/assets/gone-999.js'), undefined, 'a missing asset is a 404, not HTML');
  t.equal(site.lookup('/robots.txt'), undefined);
  // Nothing is read per request: a path cannot leave the directory, it only misses the in-memory map.
  t.equal(site.lookup('/../../etc/passwd.txt'), undefined);
  t.equal(site.lookup('/../../etc/passwd')?.bytes.toString(), site.lookup('/')?.bytes.toString(), 'an app route, answered with the app');
  const missing = new StaticSite(join(dir, 'nope'));
  t.equal(missing.built, false);
  t.equal(missing.lookup('/'), undefined);
});

t.test('the gateway serves the UI at / beside the API', async (t) => {
  const dir = fakeDist();
  const extensions = gatewayExtensions.map((extension) => (extension === uiExtension ? createUiExtension({ distDir: dir }) : extension));
  const server = await startTestServer({ extensions });
  t.teardown(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = async (path: string) => {
    const response = await request(`${server.base}${path}`);
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  };
  const root = await get('/');
  t.equal(root.status, 200);
  t.match(root.text, /<div id="app">/);
  t.match(String(root.headers['content-security-policy']), /default-src 'self'/);
  t.equal(root.headers['x-content-type-options'], 'nosniff');
  t.equal((await get('/desk')).text, root.text, 'SPA fallback');
  t.equal((await get('/assets/index-abc123.css')).headers['content-type'], 'text/css; charset=utf-8');
  t.equal((await get('/assets/nope.js')).status, 404);
  const api = await get('/api/v1/nope');
  t.equal(api.status, 404);
  t.match(api.headers['content-type'], /problem\+json/, 'unknown API paths keep their problem+json 404');
  t.equal((await get('/healthz')).status, 200);
  t.equal((await get('/metrics')).status, 404, '/metrics is not on the API port (its own listener), nor the SPA');
});

t.test('without a build the page says how to make one', async (t) => {
  const extensions = gatewayExtensions.map((extension) => (extension === uiExtension ? createUiExtension({ distDir: join(tmpdir(), 'cd-no-such-dist') }) : extension));
  const server = await startTestServer({ extensions });
  t.teardown(() => server.stop());
  const response = await request(`${server.base}/`);
  t.equal(response.statusCode, 503);
  t.match(await response.body.text(), /npm run build:ui/);
});
