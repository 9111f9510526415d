/**
 * The systemd unit and its environment file agree with the configuration: the sample sets only known
 * settings and loads without error, and the unit's TimeoutStopSec stays above the shutdown bound it allows.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, settingDefinitions, settingKeys } from '../gateway/config.ts';
import { hasServerNodeFlags, serverNodeFlags } from '../gateway/node-flags.ts';

const unit = readFileSync(fileURLToPath(new URL('./clinic-dispatch.service', import.meta.url)), 'utf8');
const sample = readFileSync(fileURLToPath(new URL('./clinic-dispatch.env.sample', import.meta.url)), 'utf8');

function directive(name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(unit)?.[1];
}

t.test('the env sample is a valid configuration of known settings', async (t) => {
  const env: Record<string, string> = {};
  for (const line of sample.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    if (match !== null) env[match[1] as string] = match[2] as string;
  }
  const known = new Set(settingKeys.map((key) => settingDefinitions[key].env));
  t.same(Object.keys(env).filter((name) => !known.has(name)), [], 'no unknown variable');
  t.same([...known].filter((name) => !(name in env)), [], 'every setting appears in the sample');
  const config = loadConfig({ argv: [], env, machine: { cores: 2 } });
  t.equal(config.demo, false, 'no demo region in production');
  const timeoutStopSeconds = Number(directive('TimeoutStopSec'));
  t.ok(timeoutStopSeconds * 1000 > config.shutdownTimeoutMs, `TimeoutStopSec (${timeoutStopSeconds} s) is above SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs} ms)`);
});

t.test('the unit has what operations rely on', async (t) => {
  t.equal(directive('ExecStart'), `/usr/bin/node ${serverNodeFlags.join(' ')} --import tsx gateway/main.ts`);
  t.equal(directive('KillSignal'), 'SIGTERM');
  t.equal(directive('Restart'), 'on-failure');
  t.ok(Number(directive('LimitNOFILE')) >= 65536, 'LimitNOFILE raised');
  for (const name of ['User', 'WorkingDirectory', 'EnvironmentFile']) t.ok(directive(name) !== undefined, name);
  t.equal(directive('RestartPreventExitStatus'), '2', 'bad configuration is not restarted in a loop');
});

t.test('npm start runs the server with the same V8 flags', async (t) => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  t.equal(manifest.scripts['start'], `node ${serverNodeFlags.join(' ')} --import tsx gateway/main.ts`);
  t.equal(hasServerNodeFlags(['--single-threaded-gc', '--import', 'tsx']), true);
  t.equal(hasServerNodeFlags(['--import', 'tsx']), false, 'a start without them is noticed (and logged)');
});
