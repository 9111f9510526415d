/**
 * The configuration module: defaults, precedence (flag > environment > file > default), validation that names
 * the setting, its source and its range, and the config file's own errors.
 */
import t from 'tap';
import { resolve } from 'node:path';
import { ConfigError, configUsage, describeConfig, loadConfig, settingDefinitions, settingKeys } from './config.ts';

const machine = { cores: 4 };

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

t.test('defaults', async (t) => {
  const config = loadConfig({ argv: [], env: {}, machine });
  t.equal(config.port, 8080);
  t.equal(config.host, '0.0.0.0');
  t.equal(config.dataDir, resolve('./data'));
  t.equal(config.logLevel, 'info');
  t.equal(config.rateLimitPerSecond, 200);
  t.equal(config.rateLimitBurst, 400);
  t.equal(config.bodyBytesMax, 256 * 1024);
  t.equal(config.snapshotEveryEvents, 200_000);
  t.equal(config.snapshotEveryMs, 600_000);
  t.equal(config.shutdownTimeoutMs, 30_000);
  t.equal(config.databaseUrl, undefined);
  t.equal(config.demo, true);
  t.equal(config.workers, 3, 'cores − 1');
  t.equal(loadConfig({ argv: [], env: {}, machine: { cores: 1 } }).workers, 1, 'never below one worker');
  t.equal(config.configFile, undefined);
});

t.test('precedence: flag, then environment, then file, then default', async (t) => {
  const file = JSON.stringify({ PORT: 7000, HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO: false });
  const readFile = (): string => file;
  const fromFile = loadConfig({ argv: ['--config', 'x.json'], env: {}, machine, readFile });
  t.equal(fromFile.port, 7000);
  t.equal(fromFile.demo, false);
  t.equal(fromFile.configFile, resolve('x.json'));
  const fromEnv = loadConfig({ argv: [], env: { CONFIG_FILE: 'x.json', PORT: '7100', LOG_LEVEL: '' }, machine, readFile });
  t.equal(fromEnv.port, 7100, 'the environment beats the file');
  t.equal(fromEnv.logLevel, 'warn', 'an empty variable counts as unset');
  t.equal(fromEnv.host, '127.0.0.1');
  const fromFlag = loadConfig({ argv: ['--config', 'x.json', '--port', '0', '--data-dir', '/tmp/d', '--no-demo'], env: { PORT: '7100', DEMO: 'true' }, machine, readFile });
  t.equal(fromFlag.port, 0, 'the flag beats the environment; 0 is allowed');
  t.equal(fromFlag.dataDir, '/tmp/d');
  t.equal(fromFlag.demo, false, '--no-demo');
  const every = loadConfig({
    argv: [], machine,
    env: {
      RATE_LIMIT_PER_SECOND: '0.5', RATE_LIMIT_BURST: '3', BODY_BYTES_MAX: '2048', SNAPSHOT_EVERY_EVENTS: '10', SNAPSHOT_EVERY_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '1500', DATABASE_URL: 'postgres://u:p@db:5432/cd', DEMO: 'off', WORKERS: '2',
    },
  });
  t.same(
    [every.rateLimitPerSecond, every.rateLimitBurst, every.bodyBytesMax, every.snapshotEveryEvents, every.snapshotEveryMs, every.shutdownTimeoutMs, every.databaseUrl, every.demo, every.workers],
    [0.5, 3, 2048, 10, 5000, 1500, 'postgres://u:p@db:5432/cd', false, 2],
  );
  t.equal(describeConfig(every)['databaseUrl'], '(set)', 'the URL (with its password) is masked in logs');
});

t.test('invalid values fail with the setting, the source and the range, all at once', async (t) => {
  const problems = problemsOf(() => loadConfig({
    argv: ['--port', '70000'], machine,
    env: { RATE_LIMIT_BURST: '0', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', WORKERS: '1.5', DEMO: 'maybe', SHUTDOWN_TIMEOUT_MS: '10' },
  }));
  t.equal(problems.length, 7, problems.join('\n'));
  t.match(problems.join('\n'), /PORT must be an integer 0\.\.65535; got "70000" from the command line/);
  t.match(problems.join('\n'), /RATE_LIMIT_BURST must be an integer 1\.\.1000000 requests; got "0" from the environment/);
  t.match(problems.join('\n'), /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
  t.match(problems.join('\n'), /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL; got \(hidden\)/);
  t.match(problems.join('\n'), /WORKERS must be an integer 1\.\.256 threads/);
  t.match(problems.join('\n'), /DEMO must be true or false/);
  t.match(problems.join('\n'), /SHUTDOWN_TIMEOUT_MS must be an integer 100\.\.600000 ms/);
  t.match(problemsOf(() => loadConfig({ argv: ['--data-dir', '/var/lib/cd.v2'], env: {}, machine })).join('\n'), /DATA_DIR must be a directory path whose last part has no extension/, 'lmdb-js would open it as a file');
  t.equal(loadConfig({ argv: ['--data-dir', '/var/lib/cd.v2/data'], env: {}, machine }).dataDir, '/var/lib/cd.v2/data', 'a dot higher up is fine');
});

t.test('config file errors', async (t) => {
  t.match(problemsOf(() => loadConfig({ argv: ['--config', 'a.json'], env: {}, machine, readFile: () => '{"PORT": 1, "PROT": 2}' })).join('\n'), /unknown setting PROT; the settings are PORT, HOST/);
  t.match(problemsOf(() => loadConfig({ argv: ['--config', 'a.json'], env: {}, machine, readFile: () => '[1]' })).join('\n'), /must be a JSON object/);
  t.match(problemsOf(() => loadConfig({ argv: ['--config', 'a.json'], env: {}, machine, readFile: () => '{' })).join('\n'), /config file a\.json: .*JSON/);
  t.match(problemsOf(() => loadConfig({ argv: ['--config', 'a.json'], env: {}, machine, readFile: () => '{"PORT": "x"}' })).join('\n'), /PORT must be an integer 0\.\.65535; got "x" from the config file/);
  t.match(problemsOf(() => loadConfig({ argv: ['--config', '/nonexistent/cd.json'], env: {}, machine })).join('\n'), /config file \/nonexistent\/cd\.json: ENOENT/);
  t.match(problemsOf(() => loadConfig({ argv: ['--prot', '1'], env: {}, machine })).join('\n'), /command line: .*--prot/);
});

t.test('every setting has a flag, a range, a default and an effect; usage lists them', async (t) => {
  const usage = configUsage();
  for (const key of settingKeys) {
    const definition = settingDefinitions[key];
    t.ok(definition.range !== '' && definition.defaultText !== '' && definition.effect !== '', definition.env);
    t.match(usage, `--${definition.flag} / ${definition.env}`);
  }
});
