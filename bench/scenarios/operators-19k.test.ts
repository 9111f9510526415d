import t from 'tap';
import { runSmoke } from './smoke-kit.ts';

t.test('operators-19k at its small size: sessions held, rate steps measured', async (t) => {
  const { figures } = await runSmoke(t, 'operators-19k');
  const setup = figures['setup'] as { connected: number; requested: number };
  t.equal(setup.connected, setup.requested, 'every session connected');
  const steps = figures['steps'] as Array<{ rate: number; counts: { scheduled: number } }>;
  t.ok(steps.length >= 1, 'at least one rate step');
  t.ok(steps.every((step) => step.counts.scheduled > 0), 'each step scheduled commands');
  t.type((figures['serverAfterConnect'] as { rssMB: number }).rssMB, 'number', 'server RSS after connecting');
});
