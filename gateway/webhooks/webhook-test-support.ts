/**
 * What the webhook tests share: a real stack (the product's startServer: EngineHost on a temp dir, the demo
 * region, the gateway with the same extensions as production but small delivery delays) and a real receiver (node:http on
 * 127.0.0.1) whose answers a test scripts: up, 503, refusing, hanging, or not listening at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ManualClock, SequenceIdSource, type Command } from '../../engine/index.ts';
import { mondayNineMs } from '../../engine/test-harness.ts';
import type { EngineHost } from '../../persistence/engine-host.ts';
import type { DemoTokens } from '../demo-seed.ts';
import { gatewayExtensions } from '../extensions.ts';
import type { Gateway } from '../server.ts';
import { startServer } from '../start-server.ts';
import { testConfig } from '../test-server.ts';
import type { SecuritySettings } from '../security-settings.ts';
import type { Resolver } from './webhook-address-guard.ts';
import { createWebhookExtension, webhookExtension } from './webhook-extension.ts';
import { verifySignature } from './webhook-payload.ts';

/** Delivery bounds small enough for tests that wait for retries. */
export const testDeliveryOptions = { retryDelayMsMin: 10, retryDelayMsMax: 80, requestTimeoutMs: 2_000, idleWakeMs: 500, rejectedAttemptsMax: 3 } as const;
export const testSecret = 'test-secret-0123456789';

export function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cd-webhooks-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Stack {
  readonly host: EngineHost;
  readonly gateway: Gateway;
  readonly clock: ManualClock;
  readonly base: string;
  close(): Promise<void>;
}

let generation = 0;

/**
 * The receivers here listen on 127.0.0.1, which the SSRF guard refuses by default: the stack sets
 * WEBHOOK_ALLOW_HOSTS=127.0.0.1, the documented setting of a partner's test harness on one machine.
 */
export const testAllowHosts = ['127.0.0.1'] as const;

/** Opens (or reopens) host and gateway on a data dir; seeds the demo region when the log is empty. */
export async function openStack(dataDir: string, security: Partial<SecuritySettings> = { webhookAllowHosts: testAllowHosts }, resolver?: Resolver): Promise<Stack & { readonly tokens: DemoTokens | undefined }> {
  generation += 1;
  const clock = new ManualClock(mondayNineMs);
  const extensions = gatewayExtensions.map((extension) => (extension === webhookExtension ? createWebhookExtension(testDeliveryOptions, resolver) : extension));
  const config = testConfig(dataDir, { RATE_LIMIT_PER_SECOND: '200', RATE_LIMIT_BURST: '400' });
  const server = await startServer(config, { logger: pino({ level: 'silent' }), clock, ids: new SequenceIdSource(`g${generation}x`), extensions, security, onFatal: (error) => { throw error; } });
  const { host, gateway } = server;
  return {
    host, gateway, clock, tokens: server.demoTokens, base: server.base,
    close: async () => {
      await gateway.close();
      await host.close();
    },
  };
}

export async function api(stack: { readonly base: string }, method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> & { [index: number]: unknown } }> {
  const response = await fetch(`${stack.base}${path}`, {
    method,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export async function submitOk(host: EngineHost, command: Command): Promise<Record<string, unknown>> {
  const result = await host.submit(command, 'operator:test');
  if (!result.ok) throw new Error(`${command.type} refused: ${JSON.stringify(result)}`);
  return result.reply;
}

export interface Delivery {
  readonly id: string;
  readonly type: string;
  readonly headerId: string | undefined;
  readonly signatureValid: boolean;
  readonly payload: Record<string, unknown>;
}

/** How the receiver answers one request: a status, or hold it until the client goes away. */
export type Answer = number | 'hang';

export class Receiver {
  /** Every request that arrived, in arrival order, with what it was answered. */
  readonly received: Array<Delivery & { readonly answer: Answer }> = [];
  answer: (delivery: Delivery) => Answer = () => 200;
  readonly secret: string;
  readonly #server: Server;
  #port = 0;

  constructor(secret: string = testSecret) {
    this.secret = secret;
    this.#server = createServer((request, response) => void this.#handle(request, response));
    this.#server.keepAliveTimeout = 1_000;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hooks`;
  }

  /** Picks a free port without listening on it: deliveries meet a refused connection until listen(). */
  async reservePort(): Promise<void> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    this.#port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Deliveries answered 2xx, in arrival order. */
  acknowledged(): Delivery[] {
    return this.received.filter((delivery) => typeof delivery.answer === 'number' && delivery.answer >= 200 && delivery.answer < 300);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const signature = request.headers['x-signature'];
    const payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const delivery: Delivery = {
      id: String(payload['id']),
      type: String(payload['type']),
      headerId: typeof request.headers['x-webhook-id'] === 'string' ? request.headers['x-webhook-id'] : undefined,
      signatureValid: verifySignature(body, typeof signature === 'string' ? signature : undefined, this.secret),
      payload,
    };
    const answer = this.answer(delivery);
    this.received.push({ ...delivery, answer });
    if (answer === 'hang') return;
    response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
  }
}

/** Polls a condition every few milliseconds until it holds or the time is up. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Compares webhook ids `<position>-<index>` in log order. */
export function logOrder(a: string, b: string): number {
  const [pa = 0, ia = 0] = a.split('-').map(Number);
  const [pb = 0, ib = 0] = b.split('-').map(Number);
  return pa - pb || ia - ib;
}
