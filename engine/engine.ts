/**
 * The actor runtime. One thread, one message at a time: a command is delivered to its actor, the actor's
 * decision is evolved into its state at once (so the next message sees it), and the messages it sends are
 * delivered through the router until the command's cascade is quiet. Events accumulate for the tick; the
 * driver takes them, makes them durable, and only then releases the replies.
 *
 * Bounds: a command's cascade may deliver at most `messagesPerCommandMax` messages (a larger cascade is a
 * bug: an assertion, not a rejection).
 */
import type { ActorBehavior, DecideContext, Reply } from './actor.ts';
import { isRejected } from './actor.ts';
import { kindOf, type ActorKindName, type Address } from './address.ts';
import type { IdSource } from './ids.ts';
import { IndexedHeap } from './lib/indexed-heap.ts';
import type { ActorMessage, Command, DomainEvent } from './messages.ts';
import { fail, reject, type Rejection } from './rejection.ts';
import { routeCommand } from './router.ts';

export const messagesPerCommandMax = 1_000;

export interface AddressedEvent {
  readonly address: Address;
  readonly event: DomainEvent;
}

export interface CommandMeta {
  readonly at: number;
  readonly by: string;
}

export type CommandResult =
  | { readonly ok: true; readonly reply: Reply; readonly events: readonly AddressedEvent[] }
  | { readonly ok: false; readonly rejection: Rejection; readonly events: readonly AddressedEvent[] };

type AnyBehavior = ActorBehavior<unknown, ActorMessage, DomainEvent, unknown>;

export type Behaviors = Readonly<Record<ActorKindName, AnyBehavior>>;

interface Cell {
  readonly behavior: AnyBehavior;
  readonly state: unknown;
}

interface Delivery {
  readonly to: Address;
  readonly message: ActorMessage;
}

export class Engine {
  readonly #behaviors: Behaviors;
  readonly #ids: IdSource;
  readonly #cells = new Map<Address, Cell>();
  readonly #timers = new IndexedHeap<Address>();
  #pending: AddressedEvent[] = [];
  #lastAt = 0;

  constructor(behaviors: Behaviors, ids: IdSource) {
    this.#behaviors = behaviors;
    this.#ids = ids;
  }

  /** Decides a command from outside. Its events are applied now and also kept for `takeEvents`. */
  submit(command: Command, meta: CommandMeta): CommandResult {
    const address = routeCommand(command);
    if (typeof address !== 'string') return { ok: false, rejection: address, events: [] };
    return this.#run([{ to: address, message: command }], meta);
  }

  /** Delivers `TimersDue` to every actor whose earliest deadline has come. */
  advanceTime(at: number, by = 'clock'): readonly AddressedEvent[] {
    const due = this.#timers.dueAtMost(at);
    if (due.length === 0) return [];
    const deliveries = due.map((entry) => ({ to: entry.key, message: { type: 'TimersDue', at } as const }));
    return this.#run(deliveries, { at, by }).events;
  }

  nextTimerAt(): number | undefined {
    return this.#timers.peek()?.priority;
  }

  /** Replay: applies one logged event to its actor, creating the actor when absent. */
  apply(record: AddressedEvent): void {
    const cell = this.#cellFor(record.address, true);
    if (cell === undefined) fail(`no actor kind for ${record.address}`);
    cell.behavior.evolve(cell.state, record.event);
    this.#refreshTimer(record.address, cell);
  }

  /** Events produced since the last call, in order: one durable batch. */
  takeEvents(): AddressedEvent[] {
    const events = this.#pending;
    this.#pending = [];
    return events;
  }

  hasPendingEvents(): boolean {
    return this.#pending.length > 0;
  }

  /** Read-only view of an actor's state for queries; undefined when the actor does not exist. */
  stateOf(address: Address): unknown {
    return this.#cells.get(address)?.state;
  }

  addresses(): IterableIterator<Address> {
    return this.#cells.keys();
  }

  get actorCount(): number {
    return this.#cells.size;
  }

  /** Every actor's canonical state, in address order (deterministic for hashing). */
  snapshot(): Array<[Address, unknown]> {
    const addresses = [...this.#cells.keys()].sort();
    return addresses.map((address) => {
      const cell = this.#cells.get(address) as Cell;
      return [address, cell.behavior.snapshot(cell.state)];
    });
  }

  /** Replaces all state with a snapshot's; indexes and timers are rebuilt. */
  restore(entries: Iterable<readonly [Address, unknown]>): void {
    this.#cells.clear();
    while (this.#timers.pop() !== undefined);
    this.#pending = [];
    for (const [address, snap] of entries) {
      const behavior = this.#behaviors[kindOf(address)];
      const cell = { behavior, state: behavior.restore(address.slice(address.indexOf('/') + 1), snap) };
      this.#cells.set(address, cell);
      this.#refreshTimer(address, cell);
    }
  }

  /** `queue` is the run's own (the cascade appends to it); read from `head`, not shifted. */
  #run(queue: Delivery[], meta: CommandMeta): CommandResult {
    const at = Math.max(meta.at, this.#lastAt);
    this.#lastAt = at;
    const events: AddressedEvent[] = [];
    let reply: Reply | undefined;
    let rejection: Rejection | undefined;
    for (let head = 0; head < queue.length; head += 1) {
      if (head >= messagesPerCommandMax) fail(`command cascade exceeded ${messagesPerCommandMax} messages`);
      const delivery = queue[head] as Delivery;
      const cell = this.#cellFor(delivery.to, false, delivery.message.type);
      if (cell === undefined) {
        rejection ??= reject('not_found', 'not found');
        continue;
      }
      const context: DecideContext = { at, by: meta.by, ids: this.#ids, self: delivery.to };
      const decision = cell.behavior.decide(cell.state, delivery.message, context);
      if (isRejected(decision)) {
        if (reply === undefined) rejection ??= decision.rejection;
        if (decision.send !== undefined) for (const out of decision.send) queue.push(out);
        continue;
      }
      const decided = decision.events;
      for (let i = 0; i < decided.length; i += 1) {
        const event = decided[i] as DomainEvent;
        cell.behavior.evolve(cell.state, event);
        const record: AddressedEvent = { address: delivery.to, event };
        events.push(record);
        this.#pending.push(record);
      }
      this.#refreshTimer(delivery.to, cell);
      if (reply === undefined && rejection === undefined) {
        if (decision.reply !== undefined) reply = decision.reply;
        else if (decision.replyAfter !== undefined) reply = decision.replyAfter();
      }
      if (decision.send !== undefined) for (const out of decision.send) queue.push(out);
    }
    if (rejection !== undefined) return { ok: false, rejection, events };
    return { ok: true, reply: reply ?? {}, events };
  }

  #cellFor(address: Address, create: boolean, messageType?: string): Cell | undefined {
    const existing = this.#cells.get(address);
    if (existing !== undefined) {
      if (messageType !== undefined && !existing.behavior.accepts.has(messageType)) fail(`${address} does not handle ${messageType}`);
      return existing;
    }
    const behavior = this.#behaviors[kindOf(address)];
    if (!create && (messageType === undefined || !behavior.creators.has(messageType))) return undefined;
    const cell = { behavior, state: behavior.create(address.slice(address.indexOf('/') + 1)) };
    this.#cells.set(address, cell);
    return cell;
  }

  #refreshTimer(address: Address, cell: Cell): void {
    const deadline = cell.behavior.nextDeadline(cell.state);
    if (deadline === undefined) this.#timers.delete(address);
    else this.#timers.set(address, deadline);
  }
}
