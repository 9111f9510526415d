/**
 * The security settings in the configuration (docs/configuration.md, docs/security.md "Settings"): their
 * defaults, their parsing, and refusals of entries that would be ignored or misread.
 */
import t from 'tap';
import { ConfigError, loadConfig, securityOf } from './config.ts';
import { securityDefaults } from './security-settings.ts';

const machine = { cores: 4 };

t.test('defaults: no webhook allow-list, the own origin only, 16 sockets per principal', async (t) => {
  const security = securityOf(loadConfig({ argv: [], env: {}, machine }));
  t.same(security, { socketsPerPrincipalMax: 16, allowedOrigins: [], webhookAllowHosts: [] });
  t.same(security, securityDefaults, 'the same defaults as a gateway started without settings');
});

t.test('lists are comma-separated, blanks ignored; entries are validated', async (t) => {
  const config = loadConfig({
    argv: ['--ws-sockets-per-principal-max', '4'],
    env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1, 10.20.0.0/16,,mis.hospital.lan', WS_ALLOWED_ORIGINS: 'https://desk.example.org' },
    machine,
  });
  t.same(securityOf(config), { socketsPerPrincipalMax: 4, allowedOrigins: ['https://desk.example.org'], webhookAllowHosts: ['127.0.0.1', '10.20.0.0/16', 'mis.hospital.lan'] });
  for (const [env, value] of [['WEBHOOK_ALLOW_HOSTS', 'http://x/'], ['WEBHOOK_ALLOW_HOSTS', '10.0.0.0/40'], ['WS_ALLOWED_ORIGINS', 'desk.example.org'], ['WS_ALLOWED_ORIGINS', 'https://desk.example.org/path'], ['WS_SOCKETS_PER_PRINCIPAL_MAX', '0']] as const) {
    t.throws(() => loadConfig({ argv: [], env: { [env]: value }, machine }), ConfigError, `${env}=${value} is refused`);
  }
});
