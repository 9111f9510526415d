/**
 * The slot holds one socket session made, so they end when the socket does: an operator who closes the tab
 * (or whose browser dies) frees the slot for everyone at once instead of after the hold's deadline, which
 * stays the fallback (a server that stops, a release that fails). A hold leaves the list when the session
 * releases it, books it or moves an appointment onto it.
 *
 * Bound: `sessionHoldsTrackedMax` holds per session; past it the oldest is forgotten here (its deadline still
 * ends it), which a well-behaved client never reaches — the engine allows a holder only a few per doctor.
 */
import type { Logger } from 'pino';
import type { EngineHost } from '../../persistence/engine-host.ts';

export const sessionHoldsTrackedMax = 64;

type Command = { readonly type: string } & Readonly<Record<string, unknown>>;

export class SessionHolds {
  /** slotId → holdId, oldest first (a Map keeps insertion order). */
  readonly #holds = new Map<string, string>();

  get size(): number {
    return this.#holds.size;
  }

  /** Notes what an accepted command did to this session's holds. */
  afterAccepted(command: Command, reply: unknown): void {
    const slotId = slotOf(command);
    if (slotId === undefined) return;
    if (command.type === 'HoldSlot') {
      const holdId = (reply as { readonly holdId?: unknown } | undefined)?.holdId;
      if (typeof holdId !== 'string') return;
      this.#holds.delete(slotId);
      this.#holds.set(slotId, holdId);
      if (this.#holds.size > sessionHoldsTrackedMax) {
        const oldest = this.#holds.keys().next().value;
        if (oldest !== undefined) this.#holds.delete(oldest);
      }
      return;
    }
    if (command.type === 'ReleaseHold' || command.type === 'BookAppointment' || command.type === 'RescheduleAppointment') this.#holds.delete(slotId);
  }

  /**
   * Releases every hold still listed, as the session's own actor, with the hold id it was given (so a hold the
   * slot has since passed to someone else is left alone). Fire and forget: the socket is gone, nobody waits.
   */
  releaseAll(host: EngineHost, actor: string, logger: Logger): void {
    const holds = [...this.#holds];
    this.#holds.clear();
    for (const [slotId, holdId] of holds) {
      host.submit({ type: 'ReleaseHold', slotId, holdId }, actor).then((outcome) => {
        if (!outcome.ok) logger.debug({ slotId, outcome }, 'a closed session hold was not released (it ends at its deadline)');
      }, (error: unknown) => logger.warn({ err: error, slotId }, 'releasing a closed session hold failed (it ends at its deadline)'));
    }
  }
}

function slotOf(command: Command): string | undefined {
  if (command.type === 'BookAppointment') {
    const booking = command['booking'] as { readonly slotId?: unknown } | undefined;
    return typeof booking?.slotId === 'string' ? booking.slotId : undefined;
  }
  const slotId = command['slotId'];
  return typeof slotId === 'string' ? slotId : undefined;
}
