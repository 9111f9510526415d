/**
 * The gateway: one uWebSockets.js app serving the partner API, the operator WebSocket, the metrics and the
 * operator UI's static files, in front of one EngineHost. It refuses to start on uWS's JavaScript fallback.
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
import { DrainGuard } from './drain-guard.ts';
import { sampleBoardGauges } from './board-gauges.ts';

export const apiVersion = '1.0.0';

export interface GatewayOptions {
  readonly host: EngineHost;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly port: number;
  readonly listenHost?: string;
  readonly bodyBytesMax?: number;
  readonly requestsPerSecond?: number;
  readonly burst?: number;
  /** Extra route groups (calendars, webhooks) and socket mounts added by other modules. */
  readonly extensions?: ReadonlyArray<(context: GatewayContext) => Route[] | void>;
}

export interface GatewayContext {
  readonly app: TemplatedApp;
  readonly host: EngineHost;
  readonly tokens: TokenStore;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly routeDeps: RouteDeps;
  /** Called on close, in reverse order of registration. */
  onClose(hook: () => Promise<void> | void): void;
  /** True once the server is stopping: refuse new work (HTTP routes answer 503 by themselves). */
  isDraining(): boolean;
}

export interface Gateway {
  readonly port: number;
  readonly tokens: TokenStore;
  readonly metrics: GatewayMetrics;
  readonly routes: readonly Route[];
  /**
   * The first step of a clean stop: closes the listen socket, answers new API requests 503 with Retry-After
   * (and /readyz 503), and resolves when the requests already in a handler have replied. Idempotent.
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  assertNativeUws();
  const app = uWS.App();
  const tokens = new TokenStore(options.host.environment);
  const metrics = new GatewayMetrics();
  const now = () => options.clock.now();
  const routeDeps: RouteDeps = { host: options.host, now };
  const closeHooks: Array<() => Promise<void> | void> = [];
  const drainGuard = new DrainGuard();
  const context: GatewayContext = {
    app, host: options.host, tokens, metrics, logger: options.logger, clock: options.clock, routeDeps,
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
  mountSystem(app, options, metrics, routes, drainGuard);
  const listenSocket = await listen(app, options.listenHost ?? '127.0.0.1', options.port);
  const port = uWS.us_socket_local_port(listenSocket);
  options.logger.info({ port }, 'gateway listening');
  let closed = false;
  let listening = true;
  const stopListening = (): void => {
    if (listening) uWS.us_listen_socket_close(listenSocket);
    listening = false;
  };
  return {
    port,
    tokens,
    metrics,
    routes,
    drain: () => {
      stopListening();
      return drainGuard.drain();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      stopListening();
      for (const hook of closeHooks.reverse()) await hook();
      metrics.close();

    },
  };
}

function mountSystem(app: TemplatedApp, options: GatewayOptions, metrics: GatewayMetrics, routes: readonly Route[], drainGuard: DrainGuard): void {
  const document = JSON.stringify(openApiDocument(routes, apiVersion));
  app.get('/healthz', (res) => {
    res.cork(() => res.writeHeader('Content-Type', 'application/json').end('{"status":"ok"}'));
  });
  app.get('/readyz', (res) => {
    // A load balancer takes a stopping server out of rotation on this 503.
    if (drainGuard.draining) res.cork(() => res.writeStatus('503 Service Unavailable').writeHeader('Content-Type', 'application/json').end('{"status":"stopping"}'));
    else res.cork(() => res.writeHeader('Content-Type', 'application/json').end(JSON.stringify({ status: 'ready', logPosition: options.host.durablePosition })));
  });
  app.get('/api/v1/openapi.json', (res) => {
    res.cork(() => res.writeHeader('Content-Type', 'application/json').end(document));
  });
  app.get('/metrics', (res) => {
    const state = { aborted: false };
    res.onAborted(() => { state.aborted = true; });
    metrics.sampleEventLoop();
    metrics.sampleAtScrape();
    void metrics.registry.metrics().then((text) => {
      if (!state.aborted) res.cork(() => res.writeHeader('Content-Type', metrics.registry.contentType).end(text));
    });
  });
  app.any('/api/*', (res) => {
    const body = JSON.stringify(new Problem(404, 'not_found', 'no such endpoint; see /api/v1/openapi.json').body());
    res.cork(() => res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/problem+json').end(body));
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
