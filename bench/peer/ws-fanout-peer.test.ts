import t from 'tap';
import { WebSocket } from 'ws';
import { startWsFanoutPeer } from './ws-fanout-peer.ts';

const receiveTimeoutMs = 5_000;

interface Subscriber {
  readonly socket: WebSocket;
  readonly received: Array<{ readonly [key: string]: unknown }>;
  /** Resolves when `count` messages matching `type` have arrived (or rejects after the timeout). */
  waitFor(type: string, count: number): Promise<void>;
}

function connect(port: number): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
    const received: Array<{ readonly [key: string]: unknown }> = [];
    const waiters = new Set<() => void>();
    socket.on('message', (data) => {
      const parsed: unknown = JSON.parse(data.toString());
      if (typeof parsed === 'object' && parsed !== null) received.push(parsed as { readonly [key: string]: unknown });
      for (const check of [...waiters]) check();
    });
    socket.once('error', reject);
    socket.once('open', () => resolve({
      socket,
      received,
      waitFor: (type, count) => new Promise<void>((done, fail) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`timed out waiting for ${count} × ${type}`));
        }, receiveTimeoutMs);
        const check = (): void => {
          if (received.filter((message) => message['type'] === type).length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          done();
        };
        waiters.add(check);
        check();
      }),
    }));
  });
}

t.test('every subscriber of a topic gets every diff, in order, one frame each', async (t) => {
  const peer = await startWsFanoutPeer({ port: 0 });
  const clinic1 = await Promise.all(Array.from({ length: 5 }, () => connect(peer.port)));
  const clinic2 = await Promise.all(Array.from({ length: 2 }, () => connect(peer.port)));
  t.teardown(async () => {
    for (const subscriber of [...clinic1, ...clinic2]) subscriber.socket.terminate();
    await peer.close();
  });
  for (const subscriber of clinic1) subscriber.socket.send(JSON.stringify({ type: 'subscribe', topic: 'clinic/c1' }));
  for (const subscriber of clinic2) subscriber.socket.send(JSON.stringify({ type: 'subscribe', topic: 'clinic/c2' }));
  await Promise.all([...clinic1, ...clinic2].map((subscriber) => subscriber.waitFor('subscribed', 1)));

  for (let index = 1; index <= 10; index += 1) t.equal(peer.publish('clinic/c1', { callId: `call-${index}` }), 5);
  for (let index = 1; index <= 3; index += 1) peer.publish('clinic/c2', { slotId: `slot-${index}`, status: 'held' });
  t.equal(peer.publish('clinic/nobody', { x: 1 }), 0, 'a topic without subscribers sends nothing');
  await Promise.all(clinic1.map((subscriber) => subscriber.waitFor('diff', 10)));
  await Promise.all(clinic2.map((subscriber) => subscriber.waitFor('diff', 3)));

  for (const subscriber of clinic1) {
    const diffs = subscriber.received.filter((message) => message['type'] === 'diff');
    t.same(diffs.map((message) => message['seq']), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    t.ok(diffs.every((message) => message['topic'] === 'clinic/c1'), 'nothing from the other topic');
  }
  for (const subscriber of clinic2) {
    t.same(subscriber.received.filter((message) => message['type'] === 'diff').map((message) => message['diff']),
      [{ slotId: 'slot-1', status: 'held' }, { slotId: 'slot-2', status: 'held' }, { slotId: 'slot-3', status: 'held' }]);
  }
  const stats = peer.stats();
  t.equal(stats.framesSent, 5 * 10 + 2 * 3, 'one send per subscriber per diff');
  t.equal(stats.published, 14);
  t.equal(stats.subscriptions, 7);
  t.equal(stats.droppedSubscribers, 0);
});

t.test('bad client messages get an error reply; a closed client is forgotten', async (t) => {
  const peer = await startWsFanoutPeer({ port: 0 });
  const subscriber = await connect(peer.port);
  t.teardown(async () => {
    subscriber.socket.terminate();
    await peer.close();
  });
  subscriber.socket.send('not json');
  await subscriber.waitFor('error', 1);
  subscriber.socket.send(JSON.stringify({ type: 'subscribe', topic: 'doctor/c1-d1' }));
  await subscriber.waitFor('subscribed', 1);
  t.equal(peer.stats().subscriptions, 1);
  subscriber.socket.close();
  await new Promise((resolve) => subscriber.socket.once('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(peer.stats().subscriptions, 0);
  t.equal(peer.publish('doctor/c1-d1', {}), 0);
});
