/**
 * `npm start`: the server on its embedded default — LMDB only, a demo region when the data directory is
 * empty, the partner API, the operator WebSocket and the UI on one port. Every setting comes from
 * gateway/config.ts (flags, environment, optional JSON config file; docs/configuration.md lists them); an
 * invalid one stops the start with exit code 2 and a message naming it.
 *
 * Once serving it prints one JSON line to stdout, `{"event":"listening","port":N,"metricsPort":M,"dataDir":...}`, which tests
 * and scripts parse (the port matters with `--port 0`).
 *
 * SIGTERM / SIGINT stop it cleanly within SHUTDOWN_TIMEOUT_MS (gateway/graceful-stop.ts): new work refused
 * with 503, requests in flight finished, operator sockets closed with 1001, last commit, a snapshot; exit 0.
 * Past the bound, or if a step fails: a fatal log line and exit 1 (the log holds every acknowledged command,
 * and the next start replays it).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { EngineHost } from '../persistence/engine-host.ts';
import { startGateway } from './server.ts';
import { stopGracefully } from './graceful-stop.ts';
import { seedDemo } from './demo-seed.ts';
import { gatewayExtensions } from './extensions.ts';
import { ConfigError, configUsage, describeConfig, loadConfig, securityOf, type Config } from './config.ts';
import { hasServerNodeFlags, serverNodeFlags } from './node-flags.ts';
import { tightenDataDir, usePrivateUmask } from './data-dir-permissions.ts';

/** Exit codes a supervisor can tell apart. */
export const exitCodes = { ok: 0, stopIncomplete: 1, badConfiguration: 2 } as const;

function readConfig(): Config {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(configUsage());
    process.exit(exitCodes.ok);
  }
  try {
    return loadConfig({ argv, env: process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(exitCodes.badConfiguration);
  }
}

const config = readConfig();
const logger = pino({ level: config.logLevel });
const clock = { now: () => Date.now() };
/** Ids: a per-process random prefix and a counter, so ids never repeat across restarts. */
const idPrefix = randomBytes(4).toString('hex');
let idCounter = 0;
const ids = { next: () => `${idPrefix}${(idCounter += 1).toString(36)}` };

logger.info({ settings: describeConfig(config), nodeFlags: process.execArgv }, 'starting');
if (!hasServerNodeFlags()) logger.warn({ expected: serverNodeFlags, nodeFlags: process.execArgv }, 'started without the recommended V8 flags (gateway/node-flags.ts): expect longer GC pauses on small hosts');
// Only the server's user may read the data directory (docs/security.md): 0700, files 0600.
usePrivateUmask();
mkdirSync(config.dataDir, { recursive: true });
const tightened = tightenDataDir(config.dataDir);
if (tightened.length > 0) logger.warn({ dataDir: config.dataDir, tightened }, 'the data directory was readable by others: tightened to 0700 / 0600');
const host = await EngineHost.open({
  dataDir: config.dataDir, clock, ids,
  snapshotEveryEvents: config.snapshotEveryEvents,
  snapshotEveryMs: config.snapshotEveryMs,
});
logger.info({ dataDir: config.dataDir, recovery: host.recovery }, 'engine recovered');
const gateway = await startGateway({
  host, clock, logger,
  port: config.port,
  listenHost: config.host,
  metricsListen: { host: config.metricsHost, port: config.metricsPort },
  requestsPerSecond: config.rateLimitPerSecond,
  burst: config.rateLimitBurst,
  bodyBytesMax: config.bodyBytesMax,
  security: securityOf(config),
  extensions: gatewayExtensions,
});
if (host.durablePosition === 0 && config.demo) {
  await seedDemo(host, gateway.tokens, config.dataDir, clock.now());
  logger.info({ tokens: resolve(config.dataDir, 'demo-tokens.json') }, 'demo region created');
}
console.log(JSON.stringify({ event: 'listening', port: gateway.port, metricsPort: gateway.metricsPort, dataDir: config.dataDir }));

let stopping = false;
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

async function stop(signal: string): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'already stopping; SHUTDOWN_TIMEOUT_MS bounds it');
    return;
  }
  stopping = true;
  const outcome = await stopGracefully({ gateway, host, logger, timeoutMs: config.shutdownTimeoutMs, signal });
  exitAfterFlush(logger, outcome === 'stopped' ? exitCodes.ok : exitCodes.stopIncomplete);
}

function exitAfterFlush(log: Logger, code: number): void {
  log.flush(() => process.exit(code));
  // flush's callback may never come if stdout is gone; do not let that hold the exit.
  setTimeout(() => process.exit(code), 1000).unref();
}
