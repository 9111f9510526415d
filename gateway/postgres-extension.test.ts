/**
 * The server with DATABASE_URL: a call registered over HTTP reaches Postgres through the projector, and the
 * projector's lag shows in /metrics. Uses a real Postgres and a fresh schema.
 */
import t from 'tap';
import { withTestSchema } from '../persistence/pg/test-support.ts';
import { call, startTestServer } from './test-server.ts';

t.test('calls registered over HTTP are projected to Postgres', async (t) => {
  const pg = await withTestSchema(t);
  // Through the configuration only (the one source of settings): nothing is read from process.env.
  const server = await startTestServer({ settings: { DATABASE_URL: pg.databaseUrl, DATABASE_SCHEMA: pg.schema } });
  t.teardown(() => server.stop());
  const created = await call(server.base, 'POST', '/api/v1/calls', {
    token: server.tokens.partner,
    body: { source: 'portal', kind: 'primary', patient: { surname: 'Постгресов', name: 'Пётр', birthDate: '1970-07-07', sex: 'M' }, address: { text: 'ул. Свободы', house: '3' }, complaints: { text: 'кашель' } },
  });
  t.equal(created.status, 201);
  const id = String((created.body as Record<string, unknown>)['id']);
  let rows: Array<{ status: string }> = [];
  for (let attempt = 0; attempt < 100 && rows.length === 0; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    rows = await pg.admin<{ status: string }>(`select status from ${pg.schema}.home_call where id = $1`, [id]).catch(() => []);
  }
  t.same(rows, [{ status: 'received' }], 'the call is in Postgres');
  const tasks = await pg.admin<{ count: string }>(`select count(*) from ${pg.schema}.clinic`);
  t.equal(Number(tasks[0]?.count), 3, 'the demo directory too');
  const metrics = await call(server.metricsBase, 'GET', '/metrics');
  t.match(metrics.text, /cd_projector_lag_entries \d+/);
});
