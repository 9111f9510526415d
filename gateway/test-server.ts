/**
 * Starts a real gateway in-process for tests: an EngineHost on a temporary data directory, the demo region
 * and its tokens, and the server on a free loopback port. `stop()` closes everything and removes the data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { request } from 'undici';
import { Packr } from 'msgpackr';
import { EngineHost } from '../persistence/engine-host.ts';
import { startGateway, type Gateway } from './server.ts';
import { seedDemo, type DemoTokens } from './demo-seed.ts';
import { gatewayExtensions } from './extensions.ts';

export interface TestServer {
  readonly host: EngineHost;
  readonly gateway: Gateway;
  readonly tokens: DemoTokens;
  readonly base: string;
  /** The `/metrics` listener (its own port, apart from the API's). */
  readonly metricsBase: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(options: { requestsPerSecond?: number; burst?: number; bodyBytesMax?: number; extensions?: typeof gatewayExtensions } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-gw-'));
  const clock = { now: () => Date.now() };
  const prefix = randomBytes(3).toString('hex');
  let counter = 0;
  const host = await EngineHost.open({ dataDir, clock, ids: { next: () => `${prefix}${(counter += 1).toString(36)}` } });
  const gateway = await startGateway({
    host, clock, logger: pino({ level: 'silent' }), port: 0, listenHost: '127.0.0.1',
    requestsPerSecond: options.requestsPerSecond ?? 100_000, burst: options.burst ?? 100_000,
    ...(options.bodyBytesMax === undefined ? {} : { bodyBytesMax: options.bodyBytesMax }),
    extensions: options.extensions ?? gatewayExtensions,
  });
  const tokens = await seedDemo(host, gateway.tokens, dataDir, clock.now());
  return {
    host, gateway, tokens, dataDir, base: `http://127.0.0.1:${gateway.port}`, metricsBase: `http://127.0.0.1:${gateway.metricsPort}`,
    stop: async () => {
      await gateway.close();
      await host.close({ snapshot: false });
      rmSync(dataDir, { recursive: true, force: true });
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
