import t from 'tap';
import { runSmoke } from './smoke-kit.ts';

t.test('seed-peak at its small size: ours, the floors and the fan-out peer in one run', async (t) => {
  const { figures } = await runSmoke(t, 'seed-peak');
  const setup = figures['setup'] as { connected: number; requested: number };
  t.equal(setup.connected, setup.requested, 'every operator connected');
  const counts = figures['counts'] as { scheduled: number; sent: number; answered: number; timedOut: number; failedError: number; inFlightAtEnd: number };
  t.ok(counts.scheduled > 0, 'commands were scheduled');
  t.equal(counts.sent, counts.answered + counts.failedError + counts.timedOut + counts.inFlightAtEnd, 'every command sent is accounted for');
  const fanout = figures['fanout'] as { deliveries: number; deliveriesExpected: number };
  t.ok(fanout.deliveries > 0, 'other operators saw the intakes');
  t.ok(fanout.deliveries <= fanout.deliveriesExpected, 'never more deliveries than subscribers');
  t.equal((figures['targets'] as unknown[]).length, 4, 'the four targets are reported');
  t.type(figures['durabilityFloor'], 'object', 'the durability floor ran');
  t.type(figures['networkFloor'], 'object', 'the network floor ran');
  t.type(figures['fanoutPeer'], 'object', 'the fan-out peer ran');
  t.type(figures['serverEventLoop'], 'object', 'the server event loop was scraped');
});
