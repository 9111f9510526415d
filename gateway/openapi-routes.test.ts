/**
 * Issue 13, defect 4: the CSV imports were mounted beside the request pipeline and were missing from the
 * OpenAPI document. Every pattern mounted under /api on the product's gateway (all extensions included) is an
 * operation of `GET /api/v1/openapi.json`, and every documented operation is mounted.
 */
import t from 'tap';
import { call, startTestServer } from './test-server.ts';
import { importBurst } from './routes/import-routes.ts';

/** Mounted by the gateway itself and not operations: the document, and the 404 for unknown /api paths. */
const notOperations = new Set(['get /api/v1/openapi.json', 'any /api/*']);

t.test('the mounted API routes and the OpenAPI document are the same set', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const document = (await call(server.base, 'GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const documented = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations)) documented.add(`${method} ${path}`);
  }
  const mounted = new Set<string>();
  for (const { method, pattern } of server.gateway.mounted) {
    const key = `${method} ${pattern}`;
    if (!pattern.startsWith('/api/') || notOperations.has(key)) continue;
    mounted.add(`${method === 'del' ? 'delete' : method} ${pattern.replace(/:([A-Za-z]+)/g, '{$1}')}`);
  }
  t.ok(mounted.has('post /api/v1/imports/directory') && mounted.has('post /api/v1/imports/callout-results'), 'the imports are mounted');
  t.same([...mounted].filter((key) => !documented.has(key)).sort(), [], 'every mounted API route is documented');
  t.same([...documented].filter((key) => !mounted.has(key)).sort(), [], 'every documented operation is mounted');
  const importOperation = document.paths['/api/v1/imports/directory']?.['post'] as { requestBody?: { content?: Record<string, unknown> } } | undefined;
  t.ok(importOperation?.requestBody?.content?.['text/csv'], 'the import takes text/csv');
});

t.test('the imports run through the pipeline: its auth, limits, drain guard and request ids', async (t) => {
  const server = await startTestServer({ settings: { RATE_LIMIT_PER_SECOND: '0.01', RATE_LIMIT_BURST: '2' } });
  t.teardown(() => server.stop());
  const csv = 'appointment_id,result,attempt,talk_seconds,at\r\nnobody.x1,busy,1,,\r\n';
  const first = await call(server.base, 'POST', '/api/v1/imports/callout-results', { token: server.tokens.partner, raw: csv, contentType: 'text/csv' });
  t.equal(first.status, 200, first.text);
  t.ok(first.headers['x-request-id'], 'a request id, as every pipeline reply');
  await call(server.base, 'GET', '/api/v1/clinics', { token: server.tokens.partner });
  const limited = await call(server.base, 'POST', '/api/v1/imports/callout-results', { token: server.tokens.partner, raw: csv, contentType: 'text/csv' });
  t.equal(limited.status, 429, "the server-wide rate limit counts the imports (RATE_LIMIT_BURST 2 is spent)");
  t.ok(limited.headers['retry-after']);
  const admin = server.tokens.admin;
  await server.gateway.drain();
  const drained = await call(server.base, 'POST', '/api/v1/imports/directory', { token: admin, raw: 'kind,id\r\n', contentType: 'text/csv' }).catch(() => undefined);
  t.ok(drained === undefined || drained.status === 503, 'a draining server takes no import (the listen socket is closed, or 503)');
});

t.test("the imports keep their own bucket per token (importBurst), after the server's", async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const csv = 'appointment_id,result,attempt,talk_seconds,at\r\nnobody.x1,busy,1,,\r\n';
  // At once: the bucket refills at importsPerSecond, and an import takes a worker round trip.
  const statuses = (await Promise.all(Array.from({ length: importBurst + 2 }, () => call(server.base, 'POST', '/api/v1/imports/callout-results', { token: server.tokens.partner, raw: csv, contentType: 'text/csv' })))).map((reply) => reply.status);
  t.equal(statuses.filter((status) => status === 200).length, importBurst, `${importBurst} imports at once are served`);
  t.equal(statuses.filter((status) => status === 429).length, 2, 'the rest are refused with 429');
  t.equal((await call(server.base, 'GET', '/api/v1/clinics', { token: server.tokens.partner })).status, 200, 'other routes are not held back by it');
});
