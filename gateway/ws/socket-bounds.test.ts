import t from 'tap';
import { closeCodes } from './close-codes.ts';
import { metricTotal, packFrame, postJson, refusedStatus, intake, startSocketStack, TestSocket, type SocketStack } from './ws-test-kit.ts';

/** Every per-connection bound shrunk so each can be reached quickly. */
const small = {
  framePayloadBytesMax: 4_096,
  framePayloadBytesCeiling: 16_384,
  messagesPerSecondMax: 5,
  messagesBurstMax: 5,
  rateLimitedMessagesMax: 10,
  subscriptionsPerConnectionMax: 2,
  commandsInFlightMax: 2,
  connectionsMax: 3,
  idleTimeoutSeconds: 8,
} as const;

let stack: SocketStack;
t.before(async () => {
  stack = await startSocketStack(small);
});
t.teardown(() => stack.stop());

const gp1 = (): string => stack.tokens.operators['gp1'] as string;

/** Closes clients and waits until the server has seen them go (the connection bound counts them). */
async function closeAll(...clients: TestSocket[]): Promise<void> {
  for (const client of clients) client.close();
  await Promise.all(clients.map((client) => client.closed));
  const deadline = Date.now() + 2_000;
  while ((await metricTotal(stack.gateway.metrics.wsConnections)) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

t.test('connections per process: the one past connectionsMax is refused 503 at the upgrade', async (t) => {
  const open = await Promise.all([0, 1, 2].map(() => TestSocket.connect(stack.wsUrl, { token: gp1() })));
  t.equal(await refusedStatus(stack.wsUrl, { token: gp1() }), 503);
  await closeAll(...open);
  const again = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  t.pass('a place frees up when one closes');
  await closeAll(again);
});

t.test('messages per second: a burst, then rate_limited error frames, then 4029 when it goes on', async (t) => {
  const client = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  for (let id = 0; id < 20; id += 1) client.send({ type: 'ping', requestId: id });
  const { code } = await client.closed;
  t.equal(code, closeCodes.rateLimited, 'closed with 4029 after rateLimitedMessagesMax refusals in a row');
  const pongs = client.ofType('pong').map((frame) => frame['requestId']);
  const limited = client.ofType('error').filter((frame) => frame['code'] === 'rate_limited');
  t.same(pongs.slice(0, small.messagesBurstMax), [0, 1, 2, 3, 4], 'the burst is served');
  t.equal(limited.length, small.rateLimitedMessagesMax - 1, 'each refused message gets an error frame until the close');
  t.match(limited[0], { requestId: Number, retryAfterMs: Number }, 'with its requestId and when to retry');
  await closeAll();
});

t.test('a client under the limit is never limited', async (t) => {
  const client = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  for (let id = 0; id < 8; id += 1) {
    client.send({ type: 'ping', requestId: id });
    await client.next((frame) => frame.type === 'pong' && frame['requestId'] === id);
    await new Promise((resolve) => setTimeout(resolve, 1_000 / small.messagesPerSecondMax + 20));
  }
  t.equal(client.ofType('error').length, 0);
  await closeAll(client);
});

t.test('subscriptions per connection and commands in flight are bounded with error frames', async (t) => {
  const client = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  t.equal((await client.subscribe('clinic/gp1')).type, 'snapshot');
  t.equal((await client.subscribe('doctor/gp1-d1')).type, 'snapshot');
  t.match(await client.subscribe('doctor/gp1-d2'), { type: 'error', code: 'too_many_subscriptions' });
  t.equal((await client.subscribe('clinic/gp1')).type, 'snapshot', 'subscribing again to a followed topic is a fresh snapshot, not one more');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const created = await postJson(stack.base, '/api/v1/calls', gp1(), { ...intake(), source: 'portal' });
  const callId = String(created.body['id']);
  const raw = (client.socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
  raw.cork();
  for (const id of ['c1', 'c2', 'c3', 'c4']) client.send({ type: 'command', requestId: id, command: { type: 'AcceptCall', callId } });
  raw.uncork();
  const answers = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((id) => client.next((frame) => frame['requestId'] === id)));
  t.same(answers.map((frame) => frame.type), ['reply', 'reply', 'error', 'error'], 'two in flight; the rest refused before the engine');
  t.match(answers[2], { code: 'too_many_in_flight' });
  t.match(answers[0], { ok: true });
  t.match(answers[1], { ok: false, problem: { status: 409 } }, 'the second accept of the same call is an engine rejection');
  await closeAll(client);
});

t.test('frames over framePayloadBytesMax close with 1009; over the transport ceiling uWS drops the connection', async (t) => {
  const over = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  over.sendRaw(packFrame({ type: 'ping', pad: 'x'.repeat(small.framePayloadBytesMax) }));
  t.equal((await over.closed).code, closeCodes.frameTooBig);
  const huge = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  huge.sendRaw(packFrame({ type: 'ping', pad: 'x'.repeat(small.framePayloadBytesCeiling) }));
  t.equal((await huge.closed).code, 1006, 'no close frame: the client sees 1006');
  await closeAll();
});

t.test('a token disabled during the session closes the socket with 4001 at its next command', async (t) => {
  const issued = await stack.gateway.tokens.issue('operator', { kind: 'clinics', clinicIds: ['gp1'] }, 'soon disabled', Date.now());
  const client = await TestSocket.connect(stack.wsUrl, { token: issued.token });
  await stack.gateway.tokens.disable(issued.principal.id);
  client.send({ type: 'command', requestId: 'late', command: { type: 'AcceptCall', callId: 'gp1.x' } });
  t.equal((await client.closed).code, closeCodes.unauthorized);
  await closeAll();
});

t.test('idle timeout: uWS pings a quiet client; one that cannot answer is closed', async (t) => {
  const quiet = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  const deaf = await TestSocket.connect(stack.wsUrl, { token: gp1() });
  const started = Date.now();
  deaf.pause();
  const closesBefore = await metricTotal(stack.gateway.metrics.wsCloses);
  // uWS looks at idle sockets every 4 s: a silent one is pinged near idleTimeoutSeconds, closed at the next look.
  const deadline = started + (small.idleTimeoutSeconds + 8) * 1_000;
  while ((await metricTotal(stack.gateway.metrics.wsConnections)) > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  const elapsedMs = Date.now() - started;
  t.equal(await metricTotal(stack.gateway.metrics.wsConnections), 1, `the client that cannot answer pings was closed after ${elapsedMs} ms`);
  t.equal((await metricTotal(stack.gateway.metrics.wsCloses)) - closesBefore, 1);
  t.comment(`closes by code: ${JSON.stringify((await stack.gateway.metrics.wsCloses.get()).values.map((value) => [value.labels['code'], value.value]))}`);
  // The quiet one never sends a message of its own, only the pongs its library answers pings with.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, small.idleTimeoutSeconds * 1_000 + 5_000 - elapsedMs)));
  t.equal(quiet.socket.readyState, quiet.socket.OPEN, `the quiet client that answers pings is still connected after ${Date.now() - started} ms`);
  quiet.send({ type: 'ping', requestId: 'alive' });
  await quiet.next((frame) => frame.type === 'pong');
  deaf.resume();
  t.not((await deaf.closed).code, closeCodes.normal, 'the deaf client finds its socket closed');
  await closeAll(quiet);
});
