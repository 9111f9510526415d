// The browser's socket client (admin-ui/src/live/live-socket.ts) against a scripted transport: seq order,
// gap → resync, reconnect with back-off, re-subscribe, and unanswered commands re-sent with their keys.
import t from 'tap';
import { LiveSocket } from '../../admin-ui/src/live/live-socket.ts';
import { backoffDelayMs, backoffMaxMs } from '../../admin-ui/src/live/backoff.ts';
import type { Frame, TopicEvent, TransportHandlers } from '../../admin-ui/src/live/live-types.ts';

class FakeServer {
  readonly connections: Array<{ handlers: TransportHandlers; sent: Frame[]; closed: boolean; protocols: readonly string[] }> = [];

  get last() {
    const connection = this.connections[this.connections.length - 1];
    if (connection === undefined) throw new Error('no connection yet');
    return connection;
  }

  factory = (_url: string, protocols: readonly string[], handlers: TransportHandlers) => {
    const connection = { handlers, sent: [] as Frame[], closed: false, protocols };
    this.connections.push(connection);
    return {
      send: (data: string | Uint8Array) => connection.sent.push(JSON.parse(String(data)) as Frame),
      close: (code: number) => {
        connection.closed = true;
        setTimeout(() => handlers.close(code, ''), 0);
      },
    };
  };

  push(frame: Frame): void {
    this.last.handlers.message(JSON.stringify(frame));
  }
}

const jsonCodec = { protocol: 'clinic-dispatch.json', encode: (frame: Frame) => JSON.stringify(frame), decode: (data: unknown) => JSON.parse(String(data)) as Frame };
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function start(server: FakeServer, onUnauthorized = () => undefined): LiveSocket {
  const live = new LiveSocket({ url: 'ws://test/ws', token: 'cds_x', transport: server.factory, codec: jsonCodec, random: () => 0, onUnauthorized });
  live.start();
  return live;
}

t.test('diffs apply in seq order; a gap stops them and asks for a resync snapshot', async (t) => {
  const server = new FakeServer();
  const live = start(server);
  t.teardown(() => live.stop());
  t.same(server.last.protocols, ['clinic-dispatch.json', 'bearer.cds_x'], 'a codec entry beside the token');
  const events: TopicEvent[] = [];
  live.subscribe('clinic/gp1', (event) => events.push(event));
  t.same(server.last.sent, [], 'nothing is sent before the welcome');
  server.push({ type: 'welcome', holderTag: 'tag1', actor: 'operator:u.a' });
  t.same(server.last.sent, [{ type: 'subscribe', topic: 'clinic/gp1' }]);
  t.equal(live.state.status, 'online');
  t.equal(live.state.holderTag, 'tag1');
  server.push({ type: 'diff', topic: 'clinic/gp1', seq: 1, data: 'before the snapshot' });
  server.push({ type: 'snapshot', topic: 'clinic/gp1', seq: 3, data: 's3' });
  server.push({ type: 'diff', topic: 'clinic/gp1', seq: 3, data: 'already in the snapshot' });
  server.push({ type: 'diff', topic: 'clinic/gp1', seq: 4, data: 'd4' });
  server.push({ type: 'diff', topic: 'clinic/gp1', seq: 6, data: 'after a gap' });
  server.push({ type: 'diff', topic: 'clinic/gp1', seq: 7, data: 'still waiting for the resync' });
  t.same(server.last.sent.at(-1), { type: 'resync', topic: 'clinic/gp1' });
  t.equal(live.gaps, 1);
  server.push({ type: 'snapshot', topic: 'clinic/gp1', seq: 7, reason: 'resync', data: 's7' });
  server.push({ type: 'diff', topic: 'clinic/gp1', seq: 8, data: 'd8' });
  t.same(events.map((event) => (event.kind === 'error' ? event.code : event.data)), ['s3', 'd4', 's7', 'd8']);
});

t.test('a dropped link reconnects with back-off, re-subscribes and re-sends unanswered commands with the same key', async (t) => {
  const server = new FakeServer();
  const live = start(server);
  t.teardown(() => live.stop());
  const events: TopicEvent[] = [];
  live.subscribe('doctor/gp1-d1', (event) => events.push(event));
  server.push({ type: 'welcome' });
  server.push({ type: 'snapshot', topic: 'doctor/gp1-d1', seq: 0, data: 'first' });
  const reply = live.command<{ holdId: string }>({ type: 'HoldSlot', slotId: 's1' });
  const sent = server.last.sent.find((frame) => frame['type'] === 'command');
  t.match(sent, { requestId: 'c1', command: { type: 'HoldSlot', slotId: 's1' } });
  live.drop();
  await tick(5);
  t.equal(live.state.status, 'reconnecting');
  t.equal(server.connections.length, 1, 'not before the back-off delay');
  await tick(backoffDelayMs(0, () => 0) + 50);
  t.equal(server.connections.length, 2, 'reconnected after the delay');
  server.push({ type: 'welcome' });
  const resent = server.last.sent;
  t.same(resent.map((frame) => frame['type']), ['subscribe', 'command'], 're-subscribed, then the unanswered command again');
  t.equal(resent[1]?.['idempotencyKey'], sent?.['idempotencyKey'], 'with the same idempotency key, so the server does it once');
  server.push({ type: 'snapshot', topic: 'doctor/gp1-d1', seq: 0, reason: 'subscribe', data: 'after reconnect' });
  server.push({ type: 'reply', requestId: 'c1', ok: true, result: { holdId: 'h1' } });
  t.same(await reply, { holdId: 'h1' });
  t.same(events.map((event) => (event.kind === 'error' ? event.code : event.data)), ['first', 'after reconnect']);
});

t.test('refusals and problems reject the command; 4001 signs out', async (t) => {
  const server = new FakeServer();
  let signedOut = false;
  const live = start(server, () => { signedOut = true; });
  server.push({ type: 'welcome' });
  const refused = live.command({ type: 'AcceptCall', callId: 'gp2.x' });
  server.push({ type: 'error', code: 'forbidden', requestId: 'c1', message: 'outside your scope' });
  await t.rejects(refused, { code: 'forbidden', message: 'Нет доступа' }, 'an error frame is translated by its code');
  const decided = live.command({ type: 'AcceptCall', callId: 'gp1.x' });
  server.push({ type: 'reply', requestId: 'c2', ok: false, problem: { type: '/problems/illegal_transition', status: 409, detail: 'a new call cannot become new' } });
  // Translated by the problem's code (admin-ui/src/i18n/problems.ts); the English detail is only the fallback.
  await t.rejects(decided, { code: 'illegal_transition', message: 'В этом статусе так сделать нельзя' });
  const errors: TopicEvent[] = [];
  live.subscribe('clinic/gp2', (event) => errors.push(event));
  server.push({ type: 'error', code: 'forbidden', topic: 'clinic/gp2', message: 'no' });
  t.match(errors, [{ kind: 'error', code: 'forbidden' }], 'a refused topic tells its listener');
  const pending = live.command({ type: 'AcceptCall', callId: 'gp1.y' });
  server.last.handlers.close(4001, 'token disabled');
  t.ok(signedOut, 'the app is told the session is over');
  t.equal(live.state.status, 'stopped');
  await t.rejects(pending, { code: 'stopped' });
  await tick(backoffMaxMs / 10);
  t.equal(server.connections.length, 1, 'and it does not reconnect');
});

t.test('back-off doubles up to its cap, with jitter', async (t) => {
  t.equal(backoffDelayMs(0, () => 1), 500);
  t.equal(backoffDelayMs(3, () => 1), 4_000);
  t.equal(backoffDelayMs(30, () => 1), backoffMaxMs);
  t.equal(backoffDelayMs(30, () => 0), backoffMaxMs / 2);
});
