import t from 'tap';
import { partnerEndpoints } from '../load/partner-endpoints.ts';
import { runSmoke } from './smoke-kit.ts';

t.test('partner-http at its small size: autocannon and the open loop on every endpoint, the peer on its two', async (t) => {
  const { figures } = await runSmoke(t, 'partner-http');
  for (const endpoint of partnerEndpoints) {
    const entry = figures[endpoint] as { autocannon: { requestsTotal: number; errors: number }; openLoop: { counts: { sent: number } } };
    t.ok(entry.autocannon.requestsTotal > 0, `${endpoint}: autocannon sent requests`);
    t.equal(entry.autocannon.errors, 0, `${endpoint}: no connection errors`);
    t.ok(entry.openLoop.counts.sent > 0, `${endpoint}: the open loop sent requests`);
  }
  t.type(figures['peer create-call'], 'object', 'the peer ran create-call');
  t.type(figures['peer hold-book'], 'object', 'the peer ran hold-book');
});
