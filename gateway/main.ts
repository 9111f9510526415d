/**
 * `npm start`: the server on its embedded default — LMDB only, a demo region when the data directory is
 * empty, the partner API, the operator WebSocket and the UI on one port. A thin CLI around `startServer`
 * (gateway/start-server.ts), the same function every in-process test stack calls. Every setting comes from
 * gateway/config.ts (flags, environment, optional JSON config file; docs/configuration.md lists them); an
 * invalid one stops the start with exit code 2 and a message naming it. A start that fails after the
 * settings (the worker threads cannot start, the port is taken, the data directory is unusable) logs the
 * cause as `fatal` and exits with code 3.
 *
 * Once serving everything (the demo region and demo-tokens.json included) it prints one JSON line to stdout,
 * `{"event":"listening","port":N,"metricsPort":M,"dataDir":...}`, which tests and scripts parse (the ports
 * matter with `--port 0` / `--metrics-port 0`); /healthz and /readyz answer 200 from the same moment, 503
 * `starting` before it.
 *
 * SIGTERM / SIGINT stop it cleanly within SHUTDOWN_TIMEOUT_MS (gateway/graceful-stop.ts): new work refused
 * with 503, requests in flight finished, operator sockets closed with 1001, last commit, a snapshot; exit 0.
 * Past the bound, or if a step fails: a fatal log line and exit 1 (the log holds every acknowledged command,
 * and the next start replays it).
 */
import { pino, type Logger } from 'pino';
import { stopGracefully } from './graceful-stop.ts';
import { ConfigError, configUsage, describeConfig, loadConfig, type Config } from './config.ts';
import { hasServerNodeFlags, serverNodeFlags } from './node-flags.ts';
import { startServer, type RunningServer } from './start-server.ts';
import { usePrivateUmask } from './data-dir-permissions.ts';

/** Exit codes a supervisor can tell apart. */
export const exitCodes = { ok: 0, stopIncomplete: 1, badConfiguration: 2, startFailed: 3 } as const;

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

logger.info({ settings: describeConfig(config), nodeFlags: process.execArgv }, 'starting');
if (!hasServerNodeFlags()) logger.warn({ expected: serverNodeFlags, nodeFlags: process.execArgv }, 'started without the recommended V8 flags (gateway/node-flags.ts): expect longer GC pauses on small hosts');
// Only the server's user may read the data directory (docs/security.md): 0700, files 0600. startServer
// tightens an existing directory; the umask covers every file created after this line.
usePrivateUmask();

const server = await startServer(config, { logger }).catch((error: unknown) => {
  const cause = error instanceof Error ? error.message : String(error);
  logger.fatal({ err: error }, `cannot start: ${cause}`);
  console.error(`cannot start: ${cause}`);
  exitAfterFlush(logger, exitCodes.startFailed);
  return undefined;
});
if (server !== undefined) serve(server);

function serve(running: RunningServer): void {
  const { gateway, host } = running;
  console.log(JSON.stringify({ event: 'listening', port: gateway.port, metricsPort: gateway.metricsPort, dataDir: config.dataDir }));
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.warn({ signal }, 'already stopping; SHUTDOWN_TIMEOUT_MS bounds it');
      return;
    }
    stopping = true;
    const outcome = await stopGracefully({ gateway, host, logger, timeoutMs: config.shutdownTimeoutMs, signal });
    exitAfterFlush(logger, outcome === 'stopped' ? exitCodes.ok : exitCodes.stopIncomplete);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function exitAfterFlush(log: Logger, code: number): void {
  log.flush(() => process.exit(code));
  // flush's callback may never come if stdout is gone; do not let that hold the exit.
  setTimeout(() => process.exit(code), 1000).unref();
}
