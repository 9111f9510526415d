/**
 * The clean stop of a server (SIGTERM/SIGINT), as one bounded sequence:
 *   1. refuse new work: the gateway closes its listen socket and answers new API requests 503 + Retry-After
 *      (/readyz 503), and waits for the requests already in a handler;
 *   2. commit what is decided but not yet durable (operator socket commands, timers), so every reply still
 *      owed goes out before the sockets close;
 *   3. the gateway's close hooks: operator sockets closed with 1001 (going away), webhook delivery stopped;
 *   4. the engine host closes: last log commit (fsync), a snapshot, the LMDB environment closed.
 * All of it within `timeoutMs`; past it the outcome is `timed_out` and the caller exits non-zero at once
 * (nothing acknowledged is lost: the log has it, and the next start replays it).
 */
import type { Logger } from 'pino';

export interface StoppableGateway {
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface StoppableHost {
  readonly durablePosition: number;
  whenDurable(): Promise<void>;
  close(): Promise<void>;
}

export type StopOutcome = 'stopped' | 'timed_out' | 'failed';

export interface GracefulStopOptions {
  readonly gateway: StoppableGateway;
  readonly host: StoppableHost;
  readonly logger: Pick<Logger, 'info' | 'fatal'>;
  readonly timeoutMs: number;
  readonly signal: string;
}

export async function stopGracefully(options: GracefulStopOptions): Promise<StopOutcome> {
  const { gateway, host, logger, timeoutMs, signal } = options;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed_out'>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), timeoutMs);
  });
  const sequence = (async (): Promise<'stopped'> => {
    logger.info({ signal }, 'stopping: refusing new work, finishing requests in flight');
    await gateway.drain();
    await host.whenDurable();
    logger.info('stopping: closing sockets (1001 going away) and background delivery');
    await gateway.close();
    logger.info('stopping: last log commit and snapshot');
    await host.close();
    return 'stopped';
  })();
  try {
    const outcome = await Promise.race([sequence, timedOut]);
    if (outcome === 'timed_out') {
      logger.fatal({ signal, shutdownTimeoutMs: timeoutMs }, 'clean stop did not finish within SHUTDOWN_TIMEOUT_MS; exiting without a final snapshot (the log holds every acknowledged command)');
    } else {
      logger.info({ signal, durationMs: Math.round(performance.now() - started), logPosition: host.durablePosition }, 'stopped');
    }
    return outcome;
  } catch (error) {
    logger.fatal({ err: error, signal }, 'clean stop failed; the log holds every acknowledged command');
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}
