/**
 * `/metrics` lives on its own listener (docs/security.md): per-clinic figures, unauthenticated, so by default on
 * 127.0.0.1 apart from the API; the API port answers /metrics 404 (not the figures, not the UI), and the metrics
 * port serves nothing else.
 */
import t from 'tap';
import { call, startTestServer } from './test-server.ts';
import { loadConfig } from './config.ts';

t.test('metrics on their own port; the API port does not serve them', async (t) => {
  const server = await startTestServer();
  t.teardown(() => server.stop());
  t.not(server.gateway.metricsPort, server.gateway.port);
  const scrape = await call(server.metricsBase, 'GET', '/metrics');
  t.equal(scrape.status, 200);
  t.match(scrape.text, /cd_calls_open\{clinic="gp1"/, 'per-clinic figures, on the metrics listener');
  const onApi = await call(server.base, 'GET', '/metrics');
  t.equal(onApi.status, 404);
  t.notMatch(onApi.text, /cd_/, 'no figure on the API port');
  t.equal((await call(server.metricsBase, 'GET', '/api/v1/clinics', { token: server.tokens.admin })).status, 404, 'and no API on the metrics port');
});

t.test('the default metrics bind is 127.0.0.1:9464; the API default stays every interface', async (t) => {
  const config = loadConfig({ argv: [], env: {}, machine: { cores: 2 } });
  t.equal(config.metricsHost, '127.0.0.1');
  t.equal(config.metricsPort, 9464);
  t.equal(config.host, '0.0.0.0');
});
