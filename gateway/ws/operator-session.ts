/**
 * One operator's socket session: who it is, how it talks (codec), what it follows, and its per-connection
 * bounds (the message token bucket, commands in flight, the stale flag of the slow-reader cut-off). Created at
 * the upgrade, attached to the uWS socket at open, marked closed at close: after that nothing may touch the
 * socket, and late command replies are dropped.
 *
 * The token bucket uses the monotonic wall clock, not the engine's injected clock: it limits the transport,
 * not the domain, and must keep working when a test freezes the domain clock.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { WebSocket } from 'uWebSockets.js';
import { actorOf, type Principal } from '../auth/principal.ts';
import { credentialIdOf } from '../auth/token-store.ts';
import { encodeFrame, type FrameCodec } from './frame-codec.ts';
import { SessionHolds } from './session-holds.ts';

/** uWS keeps this object as the socket's user data. */
export interface SocketData {
  readonly session: OperatorSession;
}

export type OperatorSocket = WebSocket<SocketData>;

export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #updatedMs: number;

  constructor(perSecond: number, capacity: number, nowMs: number) {
    this.#ratePerMs = perSecond / 1000;
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#updatedMs = nowMs;
  }

  /** Takes one message; false when the bucket is empty. */
  take(nowMs: number): boolean {
    this.#tokens = Math.min(this.#capacity, this.#tokens + (nowMs - this.#updatedMs) * this.#ratePerMs);
    this.#updatedMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until one message fits. */
  waitMs(): number {
    return Math.max(0, Math.ceil((1 - this.#tokens) / this.#ratePerMs));
  }
}

export class OperatorSession {
  readonly id = randomUUID();
  readonly principal: Principal;
  /** Kept to re-verify before each command, so a disabled token stops working on open sockets too. */
  readonly token: string;
  /** The token's name without its secret (`cdt_<id>`, `cds_<id>`): a revocation names it. */
  readonly credentialId: string;
  readonly codec: FrameCodec;
  /** `role:id`, the `by` of this session's commands and the default holder of its slot holds. */
  readonly actor: string;
  /** Shown in slot frames instead of the holder itself, which would be a claim on the hold. */
  readonly holderTag: string;
  readonly bucket: TokenBucket;
  /** Logical topics the client follows (also while stale: they are resent on resync). */
  readonly subscriptions = new Set<string>();
  socket: OperatorSocket | undefined;
  open = false;
  stale = false;
  staleSinceMs = 0;
  /** Snapshots of a resync are on their way; a second drain must not start another. */
  resyncing = false;
  commandsInFlight = 0;
  /** Rate-limited messages in a row; reset by any accepted message. */
  refusedInRow = 0;
  /** The slot holds made over this socket, released when it closes. */
  readonly holds = new SessionHolds();
  /** Opened past the principal's socket limit: closed with 4009 at open, never counted or served. */
  overLimit = false;

  constructor(principal: Principal, token: string, codec: FrameCodec, bucket: TokenBucket) {
    this.principal = principal;
    this.token = token;
    this.credentialId = credentialIdOf(token);
    this.codec = codec;
    this.actor = actorOf(principal);
    this.holderTag = holderTagOf(this.actor);
    this.bucket = bucket;
  }

  /** Sends one frame in the session's codec; false when the socket is gone or uWS dropped it (over its bound). */
  send(frame: Readonly<Record<string, unknown>>): boolean {
    const socket = this.socket;
    if (!this.open || socket === undefined) return false;
    const { bytes, binary } = encodeFrame(frame, this.codec);
    return socket.send(bytes, binary) !== 2;
  }

  /** Unread output waiting in uWS for this client (0 once closed). */
  bufferedBytes(): number {
    return this.open && this.socket !== undefined ? this.socket.getBufferedAmount() : 0;
  }
}

/** A short one-way tag of a holder: lets a client recognise its own holds without learning anyone's holder. */
export function holderTagOf(holder: string): string {
  return createHash('sha256').update('holder\0').update(holder).digest('base64url').slice(0, 12);
}
