/**
 * The gateway: one uWebSockets.js app serving the partner API, the operator WebSocket and the operator UI's
 * static files, in front of one EngineHost, and a second one, on its own listener, serving `/metrics`: the
 * scrape carries per-clinic figures and is unauthenticated, so it listens on 127.0.0.1 by default
 * (METRICS_HOST / METRICS_PORT, docs/security.md) and the API port answers /metrics with a 404 saying where it
 * went. It refuses to start on uWS's JavaScript fallback.
 */
import { registerDurableStageMetrics } from './durable-stage-metrics.ts';
import uWS, { type TemplatedApp, type us_listen_socket } from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { Clock } from '../engine/index.ts';
import type { EngineHost } from '../persistence/engine-host.ts';
import { assertNativeUws } from './uws-native.ts';
import { TokenStore } from './auth/token-store.ts';
import { RateLimiter } from './auth/rate-limiter.ts';
import { GatewayMetrics } from './metrics.ts';
import { mountRoute, bodyBytesMaxDefault, type PipelineDeps } from './http/pipeline.ts';
import type { Route } from './http/route.ts';
import { Problem } from './http/problem.ts';
import { callRoutes } from './routes/call-routes.ts';
import { directoryRoutes } from './routes/directory-routes.ts';
import { calendarRoutes } from './routes/calendar-routes.ts';
import { openApiDocument } from './openapi.ts';
import type { RouteDeps } from './routes/route-support.ts';
import { AsOfSlot } from './routes/as-of.ts';
import { DrainGuard } from './drain-guard.ts';
import { sampleBoardGauges } from './board-gauges.ts';
import { resolveSecurity, type SecuritySettings } from './security-settings.ts';
import { defaultConfig, type Config } from './config.ts';

export const apiVersion = '1.0.0';

export interface GatewayOptions {
  readonly host: EngineHost;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly port: number;
  readonly listenHost?: string;
  /** Where `/metrics` listens: 127.0.0.1 and a free port when absent (tests; `npm start` passes METRICS_*). */
  readonly metricsListen?: { readonly host: string; readonly port: number };
  readonly bodyBytesMax?: number;
  readonly requestsPerSecond?: number;
  readonly burst?: number;
  /** Socket limits per principal, allowed origins, webhook allow-list (docs/security.md); defaults when absent. */
  readonly security?: Partial<SecuritySettings>;
  /** Extra route groups (calendars, webhooks) and socket mounts added by other modules. */
  readonly extensions?: ReadonlyArray<GatewayExtension>;
  /** The validated settings extensions read (WORKERS, DATABASE_URL, ...); default: every setting's default. */
  readonly config?: Config;
  /**
   * True: /healthz and /readyz answer 503 `starting` until `becomeReady()` (gateway/start-server.ts seeds the
   * demo in between). False (default): ready once listening, for callers that add nothing after the listen.
   */
  readonly deferReady?: boolean;
}

/** A module that adds routes or socket mounts to the gateway (gateway/extensions.ts lists the product's). */
export type GatewayExtension = (context: GatewayContext) => Route[] | void;

export interface GatewayContext {
  readonly app: TemplatedApp;
  readonly host: EngineHost;
  readonly tokens: TokenStore;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly routeDeps: RouteDeps;
  readonly security: SecuritySettings;
  /** The validated settings: the one source of every setting (never read process.env in an extension). */
  readonly config: Config;
  /**
   * A check the server awaits before it reports ready (the worker pool's start-up probe); a rejection stops
   * the start with that error. Start the work when registering, so checks run side by side.
   */
  beforeReady(check: () => Promise<void>): void;
  /** Called on close, in reverse order of registration. */
  onClose(hook: () => Promise<void> | void): void;
  /** True once the server is stopping: refuse new work (HTTP routes answer 503 by themselves). */
  isDraining(): boolean;
}

export interface Gateway {
  readonly port: number;
  /** The port of the `/metrics` listener. */
  readonly metricsPort: number;
  readonly tokens: TokenStore;
  readonly metrics: GatewayMetrics;
  readonly routes: readonly Route[];
  /** Every HTTP pattern mounted on the app, by anyone (routes, extensions, system endpoints): the OpenAPI check. */
  readonly mounted: ReadonlyArray<{ readonly method: string; readonly pattern: string }>;
  /**
   * Awaits the extensions' start-up checks, then /healthz and /readyz answer 200. Rejects with the first
   * failed check (the server must then close and exit non-zero). Idempotent.
   */
  becomeReady(): Promise<void>;
  /**
   * The first step of a clean stop: closes the listen socket, answers new API requests 503 with Retry-After
   * (and /readyz 503), and resolves when the requests already in a handler have replied. Idempotent.
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  assertNativeUws();
  const mounted: Array<{ method: string; pattern: string }> = [];
  const app = recordMounts(uWS.App(), mounted);
  const tokens = new TokenStore(options.host.environment);
  const metrics = new GatewayMetrics();
  const now = () => options.clock.now();
  const routeDeps: RouteDeps = { host: options.host, now, asOf: new AsOfSlot() };
  const closeHooks: Array<() => Promise<void> | void> = [];
  const drainGuard = new DrainGuard();
  const readyChecks: Array<() => Promise<void>> = [];
  const readiness = { ready: options.deferReady !== true };
  const context: GatewayContext = {
    app, host: options.host, tokens, metrics, logger: options.logger, clock: options.clock, routeDeps,
    security: resolveSecurity(options.security),
    config: options.config ?? defaultConfig(),
    beforeReady: (check) => readyChecks.push(check),
    onClose: (hook) => closeHooks.push(hook),
    isDraining: () => drainGuard.draining,
  };
  options.host.onDurable((_events, position) => {
    metrics.logPosition.set(position);
    metrics.logCommitSeconds.observe(options.host.lastCommitMs / 1000);
  });
  const stages = registerDurableStageMetrics(metrics.registry, options.host);
  metrics.onScrape(() => {
    sampleBoardGauges(metrics, options.host.read);
    metrics.snapshotPauseSeconds.set(options.host.lastSnapshotPauseMs / 1000);
  });
  const routes: Route[] = [...callRoutes(routeDeps), ...directoryRoutes(routeDeps), ...calendarRoutes(routeDeps)];
  for (const extension of options.extensions ?? []) routes.push(...(extension(context) ?? []));
  const pipeline: PipelineDeps = {
    tokens,
    limiter: new RateLimiter(options.requestsPerSecond, options.burst),
    metrics,
    logger: options.logger,
    bodyBytesMax: options.bodyBytesMax ?? bodyBytesMaxDefault,
    now,
    stages,
  };
  for (const route of routes) mountRoute(app, drainGuard.wrap(route), pipeline);
  mountSystem(app, options, routes, drainGuard, readiness);
  const metricsApp = uWS.App();
  mountMetrics(metricsApp, metrics);
  const metricsListen = options.metricsListen ?? { host: '127.0.0.1', port: 0 };
  let metricsOpened: us_listen_socket | undefined;
  let listenSocket: us_listen_socket;
  try {
    metricsOpened = await listen(metricsApp, metricsListen.host, metricsListen.port);
    listenSocket = await listen(app, options.listenHost ?? '127.0.0.1', options.port);
  } catch (error) {
    if (metricsOpened !== undefined) uWS.us_listen_socket_close(metricsOpened);
    // Nothing serves: stop what the extensions started (pools, dispatchers) before the caller closes the host.
    for (const hook of closeHooks.reverse()) await hook();
    metrics.close();
    throw error;
  }
  const port = uWS.us_socket_local_port(listenSocket);
  const metricsSocket: us_listen_socket = metricsOpened;
  const metricsPort = uWS.us_socket_local_port(metricsSocket);
  options.logger.info({ port, metrics: { host: metricsListen.host, port: metricsPort } }, 'gateway listening');
  let closed = false;
  let listening = true;
  let becameReady: Promise<void> | undefined;
  const stopListening = (): void => {
    if (listening) uWS.us_listen_socket_close(listenSocket);
    listening = false;
  };
  return {
    port,
    metricsPort,
    tokens,
    metrics,
    routes,
    mounted,
    becomeReady: () => {
      becameReady ??= (async () => {
        for (const check of readyChecks) await check();
        readiness.ready = true;
      })();
      return becameReady;
    },
    drain: () => {
      stopListening();
      return drainGuard.drain();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      stopListening();
      for (const hook of closeHooks.reverse()) await hook();
      uWS.us_listen_socket_close(metricsSocket);
      metrics.close();

    },
  };
}

const httpMethods = ['get', 'post', 'del', 'put', 'patch', 'options', 'head', 'any', 'connect', 'trace'] as const;

/**
 * Records every pattern mounted on the app, so a test can hold the mounts against the OpenAPI document (a
 * route mounted beside the pipeline would be missing from it). The methods are wrapped once, at mount time;
 * nothing on the request path changes.
 */
function recordMounts(app: TemplatedApp, mounted: Array<{ method: string; pattern: string }>): TemplatedApp {
  const methods = app as unknown as Record<string, (pattern: string, handler: unknown) => TemplatedApp>;
  for (const method of httpMethods) {
    const original = methods[method]?.bind(app);
    if (original === undefined) continue;
    methods[method] = (pattern, handler) => {
      mounted.push({ method, pattern });
      original(pattern, handler);
      return app;
    };
  }
  return app;
}

const startingReply = '{"status":"starting"}';

function mountSystem(app: TemplatedApp, options: GatewayOptions, routes: readonly Route[], drainGuard: DrainGuard, readiness: { readonly ready: boolean }): void {
  const document = JSON.stringify(openApiDocument(routes, apiVersion));
  // Both answer 503 until the server serves everything (the demo region and its tokens file included), so a
  // partner's harness that waits for 200 finds demo-tokens.json at once (API.md).
  app.get('/healthz', (res) => {
    if (!readiness.ready) res.cork(() => res.writeStatus('503 Service Unavailable').writeHeader('Content-Type', 'application/json').writeHeader('Retry-After', '1').end(startingReply));
    else res.cork(() => res.writeHeader('Content-Type', 'application/json').end('{"status":"ok"}'));
  });
  app.get('/readyz', (res) => {
    // A load balancer takes a stopping server out of rotation on this 503.
    if (!readiness.ready) res.cork(() => res.writeStatus('503 Service Unavailable').writeHeader('Content-Type', 'application/json').writeHeader('Retry-After', '1').end(startingReply));
    else if (drainGuard.draining) res.cork(() => res.writeStatus('503 Service Unavailable').writeHeader('Content-Type', 'application/json').end('{"status":"stopping"}'));
    else res.cork(() => res.writeHeader('Content-Type', 'application/json').end(JSON.stringify({ status: 'ready', logPosition: options.host.durablePosition })));
  });
  app.get('/api/v1/openapi.json', (res) => {
    res.cork(() => res.writeHeader('Content-Type', 'application/json').end(document));
  });
  app.get('/metrics', (res) => {
    const body = JSON.stringify(new Problem(404, 'not_found', 'metrics are served on their own listener (METRICS_HOST:METRICS_PORT, 127.0.0.1:9464 by default), not on the API port').body());
    res.cork(() => res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/problem+json').end(body));
  });
  app.any('/api/*', (res) => {
    const body = JSON.stringify(new Problem(404, 'not_found', 'no such endpoint; see /api/v1/openapi.json').body());
    res.cork(() => res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/problem+json').end(body));
  });
}

/** `/metrics` (Prometheus text) on the metrics listener; nothing else is served there. */
function mountMetrics(app: TemplatedApp, metrics: GatewayMetrics): void {
  app.get('/metrics', (res) => {
    const state = { aborted: false };
    res.onAborted(() => { state.aborted = true; });
    metrics.sampleEventLoop();
    metrics.sampleAtScrape();
    void metrics.registry.metrics().then((text) => {
      if (!state.aborted) res.cork(() => res.writeHeader('Content-Type', metrics.registry.contentType).end(text));
    });
  });
  app.any('/*', (res) => {
    res.cork(() => res.writeStatus('404 Not Found').writeHeader('Content-Type', 'text/plain').end('only /metrics here'));
  });
}

function listen(app: TemplatedApp, host: string, port: number): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket) => {
      if (socket === false) reject(new Error(`cannot listen on ${host}:${port} (in use, or not permitted)`));
      else resolve(socket);
    });
  });
}
