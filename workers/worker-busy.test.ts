/**
 * The pool's bound seen from HTTP: with one worker and no queue, concurrent document requests beyond the one
 * running are answered 503 with Retry-After at once, never queued without bound. The pool's size comes from
 * the validated configuration (the one source of settings), not from process.env read at import time.
 */
import t from 'tap';
import { call, startTestServer } from '../gateway/test-server.ts';

void t.test('a full pool answers 503 with Retry-After; the admitted request still succeeds', async (t) => {
  const server = await startTestServer({ settings: { WORKERS: '1', WORKER_QUEUE_MAX: '0' } });
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
