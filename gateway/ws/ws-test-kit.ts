/**
 * What the operator socket's tests share: a real stack (the product's startServer through
 * gateway/test-server.ts: EngineHost on a temp dir, the demo region and its tokens, a free loopback port, the
 * production extension list — the operator socket's bounds optionally shrunk) and a real WebSocket client (the
 * `ws` package) that records every frame.
 */
import { Packr } from 'msgpackr';
import { WebSocket, type RawData } from 'ws';
import type { EngineHost } from '../../persistence/engine-host.ts';
import type { DemoTokens } from '../demo-seed.ts';
import { gatewayExtensions } from '../extensions.ts';
import type { Gateway } from '../server.ts';
import { startTestServer } from '../test-server.ts';
import { jsonSubprotocol, msgpackSubprotocol } from './frame-codec.ts';
import { mountOperatorSocket, operatorSocket } from './operator-socket.ts';
import type { OperatorSocketSettings } from './socket-settings.ts';
import type { SecuritySettings } from '../security-settings.ts';

export type Frame = Record<string, unknown> & { readonly type: string };

export interface SocketStack {
  readonly host: EngineHost;
  readonly gateway: Gateway;
  readonly tokens: DemoTokens;
  readonly base: string;
  readonly wsUrl: string;
  stop(): Promise<void>;
}

/** A stack on the wall clock (the transport bounds are wall-clock too); `settings` shrinks the socket's bounds. */
export async function startSocketStack(settings: Partial<OperatorSocketSettings> = {}, security: Partial<SecuritySettings> = {}): Promise<SocketStack> {
  const socket = Object.keys(settings).length === 0 ? mountOperatorSocket : operatorSocket(settings);
  const extensions = gatewayExtensions.map((extension) => (extension === mountOperatorSocket ? socket : extension));
  const server = await startTestServer({ extensions, security });
  return {
    host: server.host, gateway: server.gateway, tokens: server.tokens, base: server.base, wsUrl: `ws://127.0.0.1:${server.gateway.port}/ws`,
    stop: () => server.stop(),
  };
}

const packr = new Packr({ useRecords: false });

export function packFrame(value: unknown): Buffer {
  return packr.pack(value);
}

export interface ConnectOptions {
  readonly token?: string;
  readonly via?: 'header' | 'query' | 'protocol';
  readonly codec?: 'msgpack' | 'json';
  /** Sent as the Origin header, as a browser would. */
  readonly origin?: string;
  /** Other request headers (a browser's Cookie). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Keep only the last this many frames (a long run's reader need not hold them all); all by default. */
  readonly keepFramesMax?: number;
}

function connectArgs(url: string, options: ConnectOptions): { url: string; protocols: string[]; headers: Record<string, string> } {
  const protocols = options.codec === 'json' ? [jsonSubprotocol] : options.codec === 'msgpack' ? [msgpackSubprotocol] : [];
  const headers: Record<string, string> = { ...options.headers };
  if (options.origin !== undefined) headers['origin'] = options.origin;
  if (options.token === undefined) return { url, protocols, headers };
  const via = options.via ?? 'header';
  if (via === 'header') headers['authorization'] = `Bearer ${options.token}`;
  if (via === 'protocol') protocols.push(`bearer.${options.token}`);
  return { url: via === 'query' ? `${url}?token=${encodeURIComponent(options.token)}` : url, protocols, headers };
}

/** An upgrade the server should refuse: resolves with the HTTP status it answered. */
export function refusedStatus(url: string, options: ConnectOptions = {}): Promise<number> {
  const args = connectArgs(url, options);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(args.url, args.protocols, { headers: args.headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => reject(new Error('the upgrade was accepted')));
    socket.on('error', () => undefined);
  });
}

export class TestSocket {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  /** Frames that came binary (msgpack) and text (JSON). */
  readonly framesByKind = { binary: 0, text: 0 };
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Frames before this index have all been taken by `next`; later ones may be, as `#taken` records. */
  #cursor = 0;
  readonly #taken = new Set<number>();
  #waiters: Array<() => void> = [];

  /** Called with every frame as it arrives. */
  onFrame: (frame: Frame) => void = () => undefined;
  readonly #keepFramesMax: number;

  private constructor(socket: WebSocket, keepFramesMax: number) {
    this.socket = socket;
    this.#keepFramesMax = keepFramesMax;
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const frame = (isBinary ? packr.unpack(bytes) : JSON.parse(bytes.toString('utf8'))) as Frame;
      this.framesByKind[isBinary ? 'binary' : 'text'] += 1;
      this.onFrame(frame);
      this.frames.push(frame);
      if (this.frames.length > this.#keepFramesMax) this.#forgetOldest();
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(url: string, options: ConnectOptions = {}): Promise<TestSocket> {
    const args = connectArgs(url, options);
    const socket = new WebSocket(args.url, args.protocols, { headers: args.headers });
    const client = new TestSocket(socket, options.keepFramesMax ?? Number.POSITIVE_INFINITY);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    });
  }

  /** The next frame (after those already taken) that matches; frames before it stay for later searches. */
  async next(match: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let index = this.#cursor; index < this.frames.length; index += 1) {
        const frame = this.frames[index] as Frame;
        if (this.#taken.has(index) || !match(frame)) continue;
        this.#taken.add(index);
        while (this.#taken.delete(this.#cursor)) this.#cursor += 1;
        return frame;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; last frames: ${JSON.stringify(this.frames.slice(-3)).slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #forgetOldest(): void {
    const drop = this.frames.length - this.#keepFramesMax;
    this.frames.splice(0, drop);
    const taken = [...this.#taken].map((index) => index - drop).filter((index) => index >= 0);
    this.#taken.clear();
    for (const index of taken) this.#taken.add(index);
    this.#cursor = Math.max(0, this.#cursor - drop);
  }

  /** Stops reading from the TCP socket (the `ws` client's own socket): the server sees a slow reader. */
  pause(): void {
    (this.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resume(): void {
    (this.socket as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  ofType(type: string, topic?: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type && (topic === undefined || frame['topic'] === topic));
  }

  send(value: unknown): void {
    this.socket.send(this.socket.protocol === jsonSubprotocol ? JSON.stringify(value) : packr.pack(value));
  }

  sendRaw(data: Buffer | string): void {
    this.socket.send(data);
  }

  /** Subscribes and returns the snapshot frame (or the error frame when refused). */
  async subscribe(topic: string): Promise<Frame> {
    this.send({ type: 'subscribe', topic });
    return this.next((frame) => (frame.type === 'snapshot' || frame.type === 'error') && frame['topic'] === topic);
  }

  /** Sends a command and waits for its answer: the `reply`, or the `error` frame that refused it. */
  async command(requestId: string, command: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Frame> {
    this.send({ type: 'command', requestId, command, ...extra });
    return this.next((frame) => (frame.type === 'reply' || frame.type === 'error') && frame['requestId'] === requestId, 10_000);
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close();
  }
}

let intakeCounter = 0;

/** A valid RegisterCall body on a street of gp1 (or `street` of another clinic), a new patient each time. */
export function intake(street = 'ул. Свободы', source = 'call_center'): Record<string, unknown> {
  intakeCounter += 1;
  const n = intakeCounter + Math.floor(Math.random() * 1e6) * 1000;
  return {
    source,
    kind: 'primary',
    patient: { surname: 'Тестова', name: `Пациентка${n}`, birthDate: '1971-02-03', sex: 'F', policy: String(5000000000000000 + n), phone: `+7 (912) ${String(n % 1000).padStart(3, '0')}-00-11` },
    address: { text: `г. Ярославль, ${street}`, house: '10', apartment: '7' },
    complaints: { text: 'температура 38', tags: ['temperature'] },
  };
}

/** The next Monday-to-Friday date in Moscow after today, when every demo doctor works. */
export function nextWeekday(): string {
  for (let days = 1; ; days += 1) {
    const date = new Date(Date.now() + 3 * 3_600_000 + days * 86_400_000);
    const weekday = date.getUTCDay();
    if (weekday >= 1 && weekday <= 5) return date.toISOString().slice(0, 10);
  }
}

/** The sum of a prom-client metric's values (optionally of one label set). */
export async function metricTotal(metric: { get(): Promise<{ values: ReadonlyArray<{ value: number; labels: Record<string, string | number | undefined> }> }> }, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  return values.filter((value) => Object.entries(labels).every(([key, wanted]) => String(value.labels[key]) === wanted)).reduce((sum, value) => sum + value.value, 0);
}

export async function postJson(base: string, path: string, token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
