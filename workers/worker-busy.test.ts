/**
 * The pool's bound seen from HTTP: with one worker and no queue, concurrent document requests beyond the one
 * running are answered 503 with Retry-After at once, never queued without bound. Settings come from the
 * environment before the gateway module loads, as in production.
 */
import t from 'tap';

process.env['WORKERS'] = '1';
process.env['WORKER_QUEUE_MAX'] = '0';
const { call, startTestServer } = await import('../gateway/test-server.ts');

void t.test('a full pool answers 503 with Retry-After; the admitted request still succeeds', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const token = server.tokens.admin;
  const requests = Array.from({ length: 8 }, () => call(server.base, 'GET', '/api/v1/doctors/gp1-d1/route-sheet?format=pdf', { token }));
  const responses = await Promise.all(requests);
  const busy = responses.filter((response) => response.status === 503);
  t.ok(responses.some((response) => response.status === 200), 'the admitted request is served');
  t.ok(busy.length >= 1, `${busy.length} of 8 were refused`);
  for (const response of busy) {
    t.equal(response.headers['retry-after'], '5');
    t.match(response.body, { type: '/problems/workers_busy', status: 503 });
  }
  const later = await call(server.base, 'GET', '/api/v1/doctors/gp1-d1/route-sheet', { token });
  t.equal(later.status, 200, 'once the pool is free, requests are served again');
});
