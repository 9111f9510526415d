/**
 * The browser's end of the operator WebSocket (docs/protocol.md): one connection, topics followed as a
 * snapshot then diffs in `seq` order, commands answered once durable. It keeps working across bad networks:
 *
 * - a gap in a topic's `seq` stops applying its diffs and asks for a `resync` snapshot;
 * - a dropped connection reconnects with back-off (backoff.ts), re-subscribes every topic (fresh snapshots)
 *   and re-sends every unanswered command with its idempotency key, so nothing is lost or done twice;
 * - a ping every `pingIntervalMs` notices a dead link that the browser has not reported.
 *
 * The transport, codec, timers and randomness are passed in, so the same class runs in a test under Node.
 * Bounds: `pendingCommandsMax` commands waiting for replies (the server's in-flight bound), each failing after
 * `commandTimeoutMs`.
 */
import { backoffDelayMs } from './backoff.ts';
import { problemText } from '../i18n/problems.ts';
import { CommandError, type Frame, type LiveCodec, type TopicEvent, type Transport, type TransportFactory } from './live-types.ts';

export const pendingCommandsMax = 64;
export const commandTimeoutMs = 30_000;
export const pingIntervalMs = 20_000;
export const pongTimeoutMs = 10_000;
/** Our own close code for a link we gave up on (no pong, or a test dropping it). */
export const droppedCloseCode = 4000;
const unauthorizedCloseCode = 4001;

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'stale' | 'stopped';

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** When the next reconnect attempt starts (epoch ms), while reconnecting. */
  readonly retryAt?: number;
  readonly holderTag?: string;
  readonly actor?: string;
  /** The server's clock minus ours at the welcome (ms): countdowns run on the server's time. */
  readonly serverOffsetMs?: number;
}

export interface LiveSocketOptions {
  readonly url: string;
  readonly token: string;
  readonly transport: TransportFactory;
  readonly codec: LiveCodec;
  readonly now?: () => number;
  readonly random?: () => number;
  /** The server closed with 4001: the session is no longer valid. */
  readonly onUnauthorized?: () => void;
  /** A connection attempt closed before its welcome (maybe a refused upgrade: the app checks the session). */
  readonly onConnectFailed?: () => void;
}

interface PendingCommand {
  readonly frame: Frame;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: CommandError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface TopicEntry {
  readonly listeners: Set<(event: TopicEvent) => void>;
  lastSeq: number;
  awaitingSnapshot: boolean;
}

export class LiveSocket {
  readonly #options: LiveSocketOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #clientId: string;
  readonly #topics = new Map<string, TopicEntry>();
  readonly #pending = new Map<string, PendingCommand>();
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  #state: ConnectionState = { status: 'connecting' };
  #transport: Transport | undefined;
  #welcomed = false;
  #attempt = 0;
  #counter = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastFrameAt = 0;
  /** Diffs skipped because of a gap (each followed by a resync); tests and the SRE page read it. */
  gaps = 0;

  constructor(options: LiveSocketOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#clientId = Math.floor(this.#random() * 36 ** 8).toString(36).padStart(8, '0');
  }

  get state(): ConnectionState {
    return this.#state;
  }

  start(): void {
    if (this.#transport === undefined && this.#state.status !== 'stopped') this.#connect();
  }

  stop(): void {
    this.#setState({ status: 'stopped' });
    this.#clearTimers();
    this.#transport?.close(1000, 'signed out');
    this.#transport = undefined;
    for (const [requestId, command] of this.#pending) this.#settle(requestId, command, new CommandError('stopped', 'the connection was closed'));
  }

  /** Closes the link as a network failure would (tests, and the `offline` event of the browser). */
  drop(): void {
    this.#transport?.close(droppedCloseCode, 'dropped');
  }

  /** Skips the back-off wait (the browser says the network is back). */
  reconnectNow(): void {
    if (this.#state.status !== 'reconnecting') return;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#connect();
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    listener(this.#state);
    return () => void this.#stateListeners.delete(listener);
  }

  /** Follows a topic; the listener gets its snapshots (first and after any resync) and diffs in order. */
  subscribe(topic: string, listener: (event: TopicEvent) => void): () => void {
    let entry = this.#topics.get(topic);
    if (entry === undefined) {
      entry = { listeners: new Set(), lastSeq: -1, awaitingSnapshot: true };
      this.#topics.set(topic, entry);
      if (this.#welcomed) this.#send({ type: 'subscribe', topic });
    }
    entry.listeners.add(listener);
    return () => {
      const current = this.#topics.get(topic);
      if (current === undefined) return;
      current.listeners.delete(listener);
      if (current.listeners.size > 0) return;
      this.#topics.delete(topic);
      if (this.#welcomed) this.#send({ type: 'unsubscribe', topic });
    };
  }

  /** Sends an engine command; resolves with the durable reply's result, rejects with a CommandError. */
  command<T = Record<string, unknown>>(command: { readonly type: string } & Readonly<Record<string, unknown>>): Promise<T> {
    if (this.#pending.size >= pendingCommandsMax) return Promise.reject(new CommandError('too_many_in_flight', `at most ${pendingCommandsMax} commands may wait for replies`));
    if (this.#state.status === 'stopped') return Promise.reject(new CommandError('stopped', 'the connection was closed'));
    this.#counter += 1;
    const requestId = `c${this.#counter}`;
    const frame: Frame = { type: 'command', requestId, idempotencyKey: `ui-${this.#clientId}-${this.#counter}`, command };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = this.#pending.get(requestId);
        if (pending !== undefined) this.#settle(requestId, pending, new CommandError('timeout', `no reply within ${commandTimeoutMs / 1000} s`));
      }, commandTimeoutMs);
      this.#pending.set(requestId, { frame, resolve: (result) => resolve(result as T), reject, timer });
      if (this.#welcomed) this.#send(frame);
    });
  }

  #connect(): void {
    this.#welcomed = false;
    this.#setState({ status: this.#attempt === 0 ? 'connecting' : 'reconnecting' });
    const { codec, token } = this.#options;
    // No token: the browser's session cookie authenticates the upgrade (only the codec is offered then).
    this.#transport = this.#options.transport(this.#options.url, token === '' ? [codec.protocol] : [codec.protocol, `bearer.${token}`], {
      open: () => undefined,
      message: (data) => this.#onFrame(codec.decode(data)),
      close: (code) => this.#onClose(code),
    });
  }

  #onClose(code: number): void {
    const wasWelcomed = this.#welcomed;
    this.#transport = undefined;
    this.#welcomed = false;
    this.#clearTimers();
    if (this.#state.status === 'stopped') return;
    if (code === unauthorizedCloseCode) {
      this.stop();
      this.#options.onUnauthorized?.();
      return;
    }
    if (!wasWelcomed) this.#options.onConnectFailed?.();
    const delay = backoffDelayMs(this.#attempt, this.#random);
    this.#attempt += 1;
    this.#setState({ status: 'reconnecting', retryAt: this.#now() + delay });
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #onFrame(frame: Frame): void {
    this.#lastFrameAt = this.#now();
    switch (frame['type']) {
      case 'welcome':
        return this.#onWelcome(frame);
      case 'snapshot':
        return this.#onSnapshot(frame);
      case 'diff':
        return this.#onDiff(frame);
      case 'reply':
        return this.#onReply(frame);
      case 'error':
        return this.#onError(frame);
      case 'stale':
        return this.#setState({ ...this.#state, status: 'stale' });
      default:
        return undefined;
    }
  }

  #onWelcome(frame: Frame): void {
    this.#welcomed = true;
    this.#attempt = 0;
    const serverTime = frame['serverTime'];
    const serverOffsetMs = typeof serverTime === 'number' ? serverTime - this.#now() : 0;
    this.#setState({ status: 'online', holderTag: String(frame['holderTag'] ?? ''), actor: String(frame['actor'] ?? ''), serverOffsetMs });
    for (const [topic, entry] of this.#topics) {
      entry.awaitingSnapshot = true;
      this.#send({ type: 'subscribe', topic });
    }
    for (const command of this.#pending.values()) this.#send(command.frame);
    this.#pingTimer = setInterval(() => this.#heartbeat(), pingIntervalMs);
  }

  #onSnapshot(frame: Frame): void {
    const entry = this.#topics.get(String(frame['topic']));
    if (entry === undefined) return;
    entry.lastSeq = Number(frame['seq']);
    entry.awaitingSnapshot = false;
    if (this.#state.status === 'stale' && frame['reason'] === 'resync') this.#setState({ ...this.#state, status: 'online' });
    for (const listener of entry.listeners) listener({ kind: 'snapshot', data: frame['data'] });
  }

  #onDiff(frame: Frame): void {
    const topic = String(frame['topic']);
    const entry = this.#topics.get(topic);
    const seq = Number(frame['seq']);
    if (entry === undefined || entry.awaitingSnapshot || seq <= entry.lastSeq) return;
    if (seq > entry.lastSeq + 1) {
      this.gaps += 1;
      entry.awaitingSnapshot = true;
      this.#send({ type: 'resync', topic });
      return;
    }
    entry.lastSeq = seq;
    for (const listener of entry.listeners) listener({ kind: 'diff', data: frame['data'] });
  }

  #onReply(frame: Frame): void {
    const requestId = String(frame['requestId']);
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return;
    if (frame['ok'] === true) this.#settle(requestId, pending, undefined, frame['result']);
    else this.#settle(requestId, pending, CommandError.fromProblem(frame['problem']));
  }

  #onError(frame: Frame): void {
    const code = String(frame['code']);
    const message = String(frame['message'] ?? code);
    const requestId = frame['requestId'] === undefined ? undefined : String(frame['requestId']);
    const pending = requestId === undefined ? undefined : this.#pending.get(requestId);
    if (requestId !== undefined && pending !== undefined) {
      if (code === 'rate_limited') {
        setTimeout(() => { if (this.#pending.has(requestId) && this.#welcomed) this.#send(pending.frame); }, Number(frame['retryAfterMs'] ?? 1000));
        return;
      }
      // The server is stopping: the command was not submitted; it is sent again after the reconnect.
      if (code === 'unavailable') return;
      this.#settle(requestId, pending, new CommandError(code, problemText({ code, detail: message })));
      return;
    }
    const topic = frame['topic'] === undefined ? undefined : String(frame['topic']);
    const entry = topic === undefined ? undefined : this.#topics.get(topic);
    if (entry !== undefined) for (const listener of entry.listeners) listener({ kind: 'error', code, message });
  }

  #settle(requestId: string, pending: PendingCommand, error: CommandError | undefined, result?: unknown): void {
    this.#pending.delete(requestId);
    clearTimeout(pending.timer);
    if (error === undefined) pending.resolve(result);
    else pending.reject(error);
  }

  #heartbeat(): void {
    const sentAt = this.#now();
    this.#send({ type: 'ping' });
    setTimeout(() => {
      if (this.#welcomed && this.#lastFrameAt < sentAt) this.drop();
    }, pongTimeoutMs);
  }

  #send(frame: Frame): void {
    this.#transport?.send(this.#options.codec.encode(frame));
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  #clearTimers(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    this.#retryTimer = undefined;
    this.#pingTimer = undefined;
  }
}
