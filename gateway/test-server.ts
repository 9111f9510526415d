/**
 * Starts the real server in-process for tests through `startServer`, the function `npm start` runs
 * (gateway/start-server.ts): the configuration from the same loader (settings given as the environment names),
 * a temporary data directory, the demo region and its tokens, a free loopback port. `stop()` closes
 * everything and removes the data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { request } from 'undici';
import { Packr } from 'msgpackr';
import type { EngineHost } from '../persistence/engine-host.ts';
import type { Gateway, GatewayExtension } from './server.ts';
import type { DemoTokens } from './demo-seed.ts';
import { loadConfig, type Config } from './config.ts';
import { startServer, type StartServerOptions } from './start-server.ts';

export interface TestServer {
  readonly host: EngineHost;
  readonly gateway: Gateway;
  readonly tokens: DemoTokens;
  readonly base: string;
  /** The `/metrics` listener (its own port, apart from the API's). */
  readonly metricsBase: string;
  readonly dataDir: string;
  readonly config: Config;
  stop(): Promise<void>;
}

/** Settings every in-process stack runs with, as environment names: loopback, a free port, no rate limit in the way, quiet. */
export const testSettings: Readonly<Record<string, string>> = {
  PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_BURST: '100000',
};

/** A configuration through the product's loader (validated the same way); `settings` are environment names. */
export function testConfig(dataDir: string, settings: Readonly<Record<string, string>> = {}): Config {
  return loadConfig({ argv: [], env: { ...testSettings, DATA_DIR: dataDir, ...settings } });
}

export interface TestServerOptions {
  readonly requestsPerSecond?: number;
  readonly burst?: number;
  readonly bodyBytesMax?: number;
  /** Further settings by environment name, e.g. `{ WORKERS: '1' }`. */
  readonly settings?: Readonly<Record<string, string>>;
  readonly extensions?: ReadonlyArray<GatewayExtension>;
  readonly clock?: StartServerOptions['clock'];
  readonly ids?: StartServerOptions['ids'];
  readonly onFatal?: StartServerOptions['onFatal'];
  readonly security?: StartServerOptions['security'];
  /** An existing data directory (kept on stop); default a fresh temporary one, removed on stop. */
  readonly dataDir?: string;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cd-gw-'));
  const config = testConfig(dataDir, {
    ...(options.requestsPerSecond === undefined ? {} : { RATE_LIMIT_PER_SECOND: String(options.requestsPerSecond) }),
    ...(options.burst === undefined ? {} : { RATE_LIMIT_BURST: String(options.burst) }),
    ...(options.bodyBytesMax === undefined ? {} : { BODY_BYTES_MAX: String(options.bodyBytesMax) }),
    ...options.settings,
  });
  const server = await startServer(config, {
    logger: pino({ level: config.logLevel }),
    ...(options.extensions === undefined ? {} : { extensions: options.extensions }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.ids === undefined ? {} : { ids: options.ids }),
    ...(options.onFatal === undefined ? {} : { onFatal: options.onFatal }),
    ...(options.security === undefined ? {} : { security: options.security }),
  }).catch((error: unknown) => {
    // startServer closed what it opened; the temporary directory is ours to remove.
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const tokens = server.demoTokens;
  if (tokens === undefined && options.dataDir === undefined) throw new Error('the test server seeded no demo region');
  return {
    host: server.host, gateway: server.gateway, tokens: tokens as DemoTokens, dataDir, config, base: server.base, metricsBase: `http://127.0.0.1:${server.gateway.metricsPort}`,
    stop: async () => {
      await server.gateway.close();
      await server.host.close({ snapshot: false });
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
  readonly text: string;
}

const packr = new Packr({ useRecords: false });

/** One request; `body` is sent as JSON unless `raw` is given. Msgpack replies are decoded. */
export async function call(
  base: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { token?: string; body?: unknown; raw?: Buffer | string; contentType?: string; accept?: string; idempotencyKey?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.accept !== undefined) headers['accept'] = options.accept;
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  let body: Buffer | string | undefined = options.raw;
  if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await request(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  const contentType = String(response.headers['content-type'] ?? '');
  const text = contentType.includes('msgpack') ? '' : bytes.toString('utf8');
  let parsed: unknown = undefined;
  if (contentType.includes('msgpack')) parsed = packr.unpack(bytes);
  else if (contentType.includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: response.statusCode, headers: response.headers, body: parsed, text };
}

export function encodeMsgpack(value: unknown): Buffer {
  return packr.pack(value);
}

/** A TCP port free on loopback now, for a server process that must be told its port before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
