/**
 * The one start-up path of the server: `npm start` (gateway/main.ts, a thin CLI around it) and every
 * in-process test stack call `startServer`, so flags, settings and ordering cannot differ between them.
 *
 * In order: create the data directory, open the EngineHost (recovery), start the gateway with the extension
 * list (listening, but /healthz and /readyz answer 503 `starting`), seed the demo region and write
 * `demo-tokens.json` when the directory is empty and DEMO is on, await the extensions' start-up checks (the
 * worker pool's probe), and only then report ready. A failure at any step closes what was opened and
 * rejects; the CLI exits non-zero.
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, IdSource } from '../engine/index.ts';
import { EngineHost } from '../persistence/engine-host.ts';
import { securityOf, type Config } from './config.ts';
import { tightenDataDir } from './data-dir-permissions.ts';
import { seedDemo, type DemoTokens } from './demo-seed.ts';
import { gatewayExtensions } from './extensions.ts';
import { startGateway, type Gateway, type GatewayExtension } from './server.ts';
import type { SecuritySettings } from './security-settings.ts';

export interface StartServerOptions {
  readonly logger: Logger;
  /** Default: the wall clock. Tests move it (the UI's weekday mornings, webhook retries). */
  readonly clock?: Clock;
  /** Default: a per-process random prefix and a counter, so ids never repeat across restarts. */
  readonly ids?: IdSource;
  /** Default: gatewayExtensions (the product's list); tests swap one entry for a configured variant. */
  readonly extensions?: ReadonlyArray<GatewayExtension>;
  /** Security settings over the configuration's (tests: a small socket limit, a scripted allow-list). */
  readonly security?: Partial<SecuritySettings>;
  /** The log could not be written (EngineHost): default print and exit. */
  readonly onFatal?: (error: unknown) => void;
}

export interface RunningServer {
  readonly config: Config;
  readonly host: EngineHost;
  readonly gateway: Gateway;
  readonly port: number;
  /** `http://<loopback or host>:<port>` */
  readonly base: string;
  /** The demo's tokens when this start seeded it (empty directory, DEMO on), else undefined. */
  readonly demoTokens: DemoTokens | undefined;
  readonly demoTokensPath: string | undefined;
}

export function processIds(): IdSource {
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  return { next: () => `${prefix}${(counter += 1).toString(36)}` };
}

const wallClock: Clock = { now: () => Date.now() };

export async function startServer(config: Config, options: StartServerOptions): Promise<RunningServer> {
  const clock = options.clock ?? wallClock;
  mkdirSync(config.dataDir, { recursive: true });
  const tightened = tightenDataDir(config.dataDir);
  if (tightened.length > 0) options.logger.warn({ dataDir: config.dataDir, tightened }, 'the data directory was readable by others: tightened to 0700 / 0600');
  const host = await EngineHost.open({
    dataDir: config.dataDir, clock, ids: options.ids ?? processIds(),
    snapshotEveryEvents: config.snapshotEveryEvents,
    snapshotEveryMs: config.snapshotEveryMs,
    logWriteOn: config.logWriteOn,
    ...(options.onFatal === undefined ? {} : { onFatal: options.onFatal }),
  });
  options.logger.info({ dataDir: config.dataDir, recovery: host.recovery }, 'engine recovered');
  let gateway: Gateway | undefined;
  try {
    gateway = await startGateway({
      host, clock, logger: options.logger, config,
      port: config.port,
      listenHost: config.host,
      metricsListen: { host: config.metricsHost, port: config.metricsPort },
      requestsPerSecond: config.rateLimitPerSecond,
      burst: config.rateLimitBurst,
      bodyBytesMax: config.bodyBytesMax,
      security: { ...securityOf(config), ...options.security },
      extensions: options.extensions ?? gatewayExtensions,
      deferReady: true,
    });
    let demoTokens: DemoTokens | undefined;
    let demoTokensPath: string | undefined;
    if (host.durablePosition === 0 && config.demo) {
      demoTokens = await seedDemo(host, gateway.tokens, config.dataDir, clock.now());
      demoTokensPath = resolve(config.dataDir, 'demo-tokens.json');
      options.logger.info({ tokens: demoTokensPath }, 'demo region created');
    }
    await gateway.becomeReady();
    const loopback = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    return { config, host, gateway, port: gateway.port, base: `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${gateway.port}`, demoTokens, demoTokensPath };
  } catch (error) {
    await gateway?.close().catch(() => undefined);
    await host.close({ snapshot: false }).catch(() => undefined);
    throw error;
  }
}
