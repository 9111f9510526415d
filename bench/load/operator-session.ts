// One operator's WebSocket session, as docs/protocol.md describes a client: msgpack frames, `welcome`, a
// subscription to its clinic's board (`clinic/<id>`) answered by a snapshot, commands with a requestId each
// answered by exactly one `reply` (decided, durable) or `error` (refused at the gateway), and diffs checked
// for sequence gaps: a gap is counted and answered with a `resync`, and the topic's diffs are ignored until
// the resync snapshot arrives. Stale notices, resync snapshots, error frames and closes are counted in the
// worker's shared `SessionCounters`. Clinic diffs go to the fan-out recorder.
//
// Bounds: `connectTimeoutMs` to open and be welcomed; `subscribeTimeoutMs` for the snapshot; at most the
// server's `commandsInFlightMax` pending commands (a command beyond it is failed here, not sent).

import { Packr } from 'msgpackr';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { epochMicroseconds } from './fanout-recorder.ts';
import type { FanoutRecorder } from './fanout-recorder.ts';

export const connectTimeoutMs = 20_000;
export const subscribeTimeoutMs = 20_000;
export const sessionCommandsInFlightMax = 64;
export const msgpackSubprotocol = 'clinic-dispatch.msgpack';

const packr = new Packr({ useRecords: false });

export interface SessionCounters {
  gaps: number;
  resyncsRequested: number;
  resyncSnapshots: number;
  staleNotices: number;
  diffFrames: number;
  diffsIgnored: number;
  unmatchedFrames: number;
  readonly errorsByCode: Map<string, number>;
  readonly closesByCode: Map<number, number>;
}

export function newSessionCounters(): SessionCounters {
  return {
    gaps: 0, resyncsRequested: 0, resyncSnapshots: 0, staleNotices: 0, diffFrames: 0, diffsIgnored: 0, unmatchedFrames: 0,
    errorsByCode: new Map(), closesByCode: new Map(),
  };
}

export type CommandOutcome =
  | { readonly kind: 'accepted'; readonly result: { readonly [field: string]: unknown } }
  | { readonly kind: 'rejected'; readonly problemType: string; readonly detail: string }
  | { readonly kind: 'error'; readonly code: string };

type Frame = { readonly type: string; readonly [field: string]: unknown };

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decode(data: RawData): Frame | undefined {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  const value: unknown = packr.unpack(bytes);
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'type') === 'string' ? value as Frame : undefined;
}

export class OperatorSession {
  private socket: WebSocket | undefined;
  private nextRequestId = 1;
  private readonly pending = new Map<number, (outcome: CommandOutcome) => void>();
  private readonly lastSeq = new Map<string, number>();
  private readonly awaitingResync = new Set<string>();
  private snapshotWaiter: ((frame: Frame) => void) | undefined;
  private open = false;
  /** Diff frames this session received (all topics, in order or not): compared with the passive sessions'. */
  diffFramesReceived = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
    readonly operatorIndex: number,
    readonly clinicId: string,
    private readonly counters: SessionCounters,
    private readonly recorder: () => FanoutRecorder | undefined,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Connects, waits for `welcome`, subscribes to `topic` and waits for its snapshot. */
  async start(topic: string): Promise<void> {
    await this.connect();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no snapshot of ${topic} within ${subscribeTimeoutMs} ms`)), subscribeTimeoutMs);
      this.snapshotWaiter = (frame) => {
        if (frame['topic'] !== topic) return;
        clearTimeout(timer);
        this.snapshotWaiter = undefined;
        resolve();
      };
      this.send({ type: 'subscribe', topic, requestId: 's' });
    });
  }

  private connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(this.url, [msgpackSubprotocol], {
        headers: { authorization: `Bearer ${this.token}` }, perMessageDeflate: false, handshakeTimeout: connectTimeoutMs,
      });
      this.socket = socket;
      let welcomed = false;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no welcome within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.on('unexpected-response', (_request, response) => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused: HTTP ${response.statusCode ?? '?'}`));
        socket.terminate();
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        if (!welcomed) reject(error);
      });
      socket.on('close', (code) => {
        clearTimeout(timer);
        if (this.open) bump(this.counters.closesByCode, code);
        this.open = false;
        for (const settle of this.pending.values()) settle({ kind: 'error', code: `closed_${code}` });
        this.pending.clear();
        if (!welcomed) reject(new Error(`closed with ${code} before welcome`));
      });
      socket.on('message', (data) => {
        const receivedEpochUs = epochMicroseconds();
        const frame = decode(data);
        if (frame === undefined) {
          this.counters.unmatchedFrames += 1;
          return;
        }
        if (frame.type === 'welcome') {
          welcomed = true;
          this.open = true;
          clearTimeout(timer);
          resolve();
          return;
        }
        this.onFrame(frame, receivedEpochUs);
      });
    });
  }

  private send(message: unknown): void {
    this.socket?.send(packr.pack(message));
  }

  private onFrame(frame: Frame, receivedEpochUs: number): void {
    switch (frame.type) {
      case 'reply': {
        const settle = this.takePending(frame['requestId']);
        if (settle === undefined) return;
        if (frame['ok'] === true) {
          const result = frame['result'];
          settle({ kind: 'accepted', result: typeof result === 'object' && result !== null ? result as { readonly [field: string]: unknown } : {} });
        } else {
          const problem = frame['problem'];
          const type = typeof problem === 'object' && problem !== null ? Reflect.get(problem, 'type') : undefined;
          const detail = typeof problem === 'object' && problem !== null ? Reflect.get(problem, 'detail') : undefined;
          settle({ kind: 'rejected', problemType: typeof type === 'string' ? type : 'unknown', detail: typeof detail === 'string' ? detail : '' });
        }
        return;
      }
      case 'error': {
        const code = typeof frame['code'] === 'string' ? frame['code'] : 'unknown';
        bump(this.counters.errorsByCode, code);
        this.takePending(frame['requestId'])?.({ kind: 'error', code });
        return;
      }
      case 'snapshot':
        this.onSnapshot(frame);
        return;
      case 'diff':
        this.onDiff(frame, receivedEpochUs);
        return;
      case 'stale':
        this.counters.staleNotices += 1;
        return;
      case 'pong':
      case 'unsubscribed':
        return;
      default:
        this.counters.unmatchedFrames += 1;
    }
  }

  private takePending(requestId: unknown): ((outcome: CommandOutcome) => void) | undefined {
    if (typeof requestId !== 'number') return undefined;
    const settle = this.pending.get(requestId);
    this.pending.delete(requestId);
    return settle;
  }

  private onSnapshot(frame: Frame): void {
    const topic = String(frame['topic']);
    const seq = typeof frame['seq'] === 'number' ? frame['seq'] : 0;
    this.lastSeq.set(topic, seq);
    this.awaitingResync.delete(topic);
    if (frame['reason'] === 'resync') this.counters.resyncSnapshots += 1;
    this.snapshotWaiter?.(frame);
  }

  private onDiff(frame: Frame, receivedEpochUs: number): void {
    this.counters.diffFrames += 1;
    this.diffFramesReceived += 1;
    const topic = String(frame['topic']);
    const seq = typeof frame['seq'] === 'number' ? frame['seq'] : -1;
    const last = this.lastSeq.get(topic);
    if (last === undefined || this.awaitingResync.has(topic) || seq <= last) {
      this.counters.diffsIgnored += 1;
      return;
    }
    if (seq > last + 1) {
      this.counters.gaps += 1;
      this.counters.resyncsRequested += 1;
      this.awaitingResync.add(topic);
      this.send({ type: 'resync', topic });
      return;
    }
    this.lastSeq.set(topic, seq);
    if (topic.startsWith('clinic/')) this.recorder()?.onClinicDiff(frame['data'], this.operatorIndex, receivedEpochUs);
  }

  /** Sends one command; `settle` is called exactly once with its outcome. */
  command(command: unknown, settle: (outcome: CommandOutcome) => void): void {
    if (!this.open || this.socket === undefined) {
      settle({ kind: 'error', code: 'not_open' });
      return;
    }
    if (this.pending.size >= sessionCommandsInFlightMax) {
      settle({ kind: 'error', code: 'client_in_flight_bound' });
      return;
    }
    const requestId = this.nextRequestId++;
    this.pending.set(requestId, settle);
    this.send({ type: 'command', requestId, command });
  }

  close(): void {
    this.open = false;
    this.socket?.terminate();
  }
}
