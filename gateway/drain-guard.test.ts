/**
 * Draining: a request already in its handler finishes and `drain()` waits for it; a new one gets 503 with
 * Retry-After; on a real gateway, a kept-alive connection gets the 503 problem and /readyz turns 503.
 */
import t from 'tap';
import { Type } from '@sinclair/typebox';
import { Client } from 'undici';
import { DrainGuard, drainRetryAfterSeconds } from './drain-guard.ts';
import { defineRoute, type RouteContext, type RouteReply } from './http/route.ts';
import { Problem } from './http/problem.ts';
import { startTestServer } from './test-server.ts';

const context = {} as RouteContext<undefined, Record<string, never>>;

t.test('in-flight handlers finish; new ones are refused with 503 and Retry-After', async (t) => {
  const guard = new DrainGuard();
  let release: (reply: RouteReply) => void = () => undefined;
  const route = guard.wrap(defineRoute({
    method: 'post', path: '/x', operationId: 'x', summary: 'x', tag: 'x', replies: { 200: Type.Object({}) },
    handle: () => new Promise<RouteReply>((resolve) => { release = resolve; }),
  }));
  const inFlight = Promise.resolve(route.handle(context));
  t.equal(guard.inFlight, 1);
  let drained = false;
  const draining = guard.drain().then(() => { drained = true; });
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(drained, false, 'drain waits for the request in its handler');
  const refused = await Promise.resolve(route.handle(context)).then(() => undefined, (error: unknown) => error);
  t.ok(refused instanceof Problem && refused.status === 503, 'a new request is refused with 503');
  t.equal(refused instanceof Problem ? refused.headers['Retry-After'] : undefined, String(drainRetryAfterSeconds));
  release({ status: 200, body: {} });
  t.equal((await inFlight).status, 200, 'the in-flight request got its reply');
  await draining;
  t.equal(drained, true);
  t.equal(guard.inFlight, 0);
  await guard.drain();
  t.pass('drain is idempotent and resolves at once when idle');
});

t.test('a draining gateway answers 503 problem+json on a kept-alive connection, and /readyz 503', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  const client = new Client(server.base, { pipelining: 1 });
  t.teardown(() => client.close());
  const get = async (path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> => {
    const response = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${server.tokens.partner}` } });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  };
  t.equal((await get('/api/v1/clinics/gp1/board')).status, 200, 'served before the drain');
  t.equal((await get('/readyz')).status, 200);
  await server.gateway.drain();
  const refused = await get('/api/v1/clinics/gp1/board');
  t.equal(refused.status, 503);
  t.equal(refused.headers['retry-after'], String(drainRetryAfterSeconds));
  t.match(String(refused.headers['content-type']), /application\/problem\+json/);
  t.match(JSON.parse(refused.body), { status: 503, type: '/problems/shutting_down' });
  t.equal((await get('/readyz')).status, 503, 'load balancers see the server stopping');
  t.equal((await get('/healthz')).status, 200, 'liveness stays green while stopping');
});
