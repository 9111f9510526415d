/**
 * What an actor kind is: pure `decide` (state + message → events, messages, reply, or a rejection) and
 * `evolve` (state + event → state, applied in place because the actor owns its state alone). Handlers are
 * synchronous and run to completion; they read time and ids only from the context.
 */
import type { ActorKindName, Address } from './address.ts';
import type { IdSource } from './ids.ts';
import type { ActorMessage } from './messages.ts';
import type { Rejection } from './rejection.ts';

export interface DecideContext {
  /** The command's instant, from the injected clock. */
  readonly at: number;
  /** Who asked: `operator:<id>`, `partner:<id>`, `clock`, … — recorded in histories. */
  readonly by: string;
  readonly ids: IdSource;
  readonly self: Address;
}

/** A JSON-like reply payload; the gateway shapes it for the wire. */
export type Reply = Readonly<Record<string, unknown>>;

export interface Outgoing {
  readonly to: Address;
  readonly message: ActorMessage;
}

export interface Accepted<E> {
  readonly events: readonly E[];
  readonly send?: readonly Outgoing[];
  readonly reply?: Reply;
  /**
   * The reply as the state reads once `events` are applied, asked by the engine right after evolving them
   * (before any message of `send` is delivered): what a message to the actor itself asking for its view would
   * answer, without the extra delivery. Used when no `reply` is given.
   */
  readonly replyAfter?: () => Reply;
}

/** A rejection changes no state; it may still send compensations (give back what an earlier step took). */
export interface Rejected {
  readonly rejection: Rejection;
  readonly send?: readonly Outgoing[];
}

export type Decision<E> = Accepted<E> | Rejected;

export function isRejected<E>(decision: Decision<E>): decision is Rejected {
  return 'rejection' in decision;
}

export function accept<E>(events: readonly E[], reply?: Reply, send?: readonly Outgoing[]): Accepted<E> {
  const decision: { events: readonly E[]; reply?: Reply; send?: readonly Outgoing[] } = { events };
  if (reply !== undefined) decision.reply = reply;
  if (send !== undefined && send.length > 0) decision.send = send;
  return decision;
}

/** Accepts with a reply read from the state after the events (see `Accepted.replyAfter`). */
export function acceptThenReply<E>(events: readonly E[], replyAfter: () => Reply, send?: readonly Outgoing[]): Accepted<E> {
  return send === undefined || send.length === 0 ? { events, replyAfter } : { events, replyAfter, send };
}

export function rejected(rejection: Rejection, send?: readonly Outgoing[]): Rejected {
  return send === undefined || send.length === 0 ? { rejection } : { rejection, send };
}

export interface ActorBehavior<S, I extends { readonly type: string }, E extends { readonly type: string }, Snap> {
  readonly kind: ActorKindName;
  /** Message types this kind handles. */
  readonly accepts: ReadonlySet<string>;
  /** Message types that may reach the actor before it exists, creating its empty state. */
  readonly creators: ReadonlySet<string>;
  create(id: string): S;
  decide(state: S, message: I, context: DecideContext): Decision<E>;
  evolve(state: S, event: E): void;
  /** The earliest instant at which the actor wants `TimersDue`; O(1). */
  nextDeadline(state: S): number | undefined;
  /** The canonical, serialisable state (derived indexes left out). */
  snapshot(state: S): Snap;
  /** Rebuilds the state and its derived indexes from a snapshot. */
  restore(id: string, snapshot: Snap): S;
}
