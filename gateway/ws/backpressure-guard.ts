/**
 * Slow readers (DESIGN.md rule 5): a client that reads slower than diffs arrive must not grow server memory.
 * After each publish the subscribers of the published topics are checked:
 *
 * - unread output above `bufferedBytesMax`: the connection is cut off from diffs (unsubscribed from its
 *   topics, marked stale, told so with a `stale` frame) and counted in `slowReaderCutoffs`;
 * - when uWS's `drain` (or the sweep) finds it at or below `bufferedBytesLowWater`, it gets fresh snapshots
 *   of everything it follows and its diffs back (a resync);
 * - at or above `bufferedBytesHardMax`, or stale for longer than `staleMsMax`, it is closed with 4008.
 *
 * uWS enforces the hard bound as well (`maxBackpressure`): past it uWS drops frames for that socket instead of
 * buffering them, so even a socket this guard has not looked at yet cannot hold more. Work: one native
 * `getBufferedAmount` per subscriber of a published topic, and the sweep walks only stale connections.
 */
import type { GatewayMetrics } from '../metrics.ts';
import { closeCodes, type CloseCode } from './close-codes.ts';
import type { OperatorSession } from './operator-session.ts';
import type { OperatorSocketSettings } from './socket-settings.ts';
import type { TopicHub } from './topic-hub.ts';

/** How often stale connections are looked at (for the stale deadline and for a drain that never fired). */
export const staleSweepIntervalMs = 1_000;

export interface BackpressureGuardDeps {
  readonly settings: OperatorSocketSettings;
  readonly metrics: GatewayMetrics;
  readonly hub: TopicHub;
  /** Sends fresh snapshots of every subscription and re-attaches them (clears `stale`). */
  readonly resync: (session: OperatorSession) => void;
  readonly close: (session: OperatorSession, code: CloseCode) => void;
}

export class BackpressureGuard {
  readonly #deps: BackpressureGuardDeps;
  readonly #stale = new Set<OperatorSession>();
  #peakBytes = 0;

  constructor(deps: BackpressureGuardDeps) {
    this.#deps = deps;
  }

  get staleCount(): number {
    return this.#stale.size;
  }

  /** After a publish: cut off or close the subscribers that fell behind. */
  check(sessions: Iterable<OperatorSession>): void {
    const { bufferedBytesMax, bufferedBytesHardMax } = this.#deps.settings;
    for (const session of sessions) {
      if (!session.open || session.stale) continue;
      const bytes = session.bufferedBytes();
      if (bytes > this.#peakBytes) {
        this.#peakBytes = bytes;
        this.#deps.metrics.wsBufferedBytesPeak.set(bytes);
      }
      if (bytes >= bufferedBytesHardMax) this.#deps.close(session, closeCodes.slowReader);
      else if (bytes > bufferedBytesMax) this.#cutOff(session, bytes);
    }
  }

  /** uWS drained some of the socket's output. */
  onDrain(session: OperatorSession): void {
    if (session.stale && !session.resyncing && session.bufferedBytes() <= this.#deps.settings.bufferedBytesLowWater) this.#recover(session);
  }

  /** The periodic look at stale connections: recover the drained, close the hopeless. */
  sweep(nowMs: number): void {
    for (const session of this.#stale) {
      if (!session.open) this.forget(session);
      else if (session.resyncing) continue;
      else if (session.bufferedBytes() <= this.#deps.settings.bufferedBytesLowWater) this.#recover(session);
      else if (nowMs - session.staleSinceMs > this.#deps.settings.staleMsMax) this.#deps.close(session, closeCodes.slowReader);
    }
  }

  /** The session closed. */
  forget(session: OperatorSession): void {
    if (this.#stale.delete(session)) this.#deps.metrics.wsStaleConnections.dec();
  }

  #cutOff(session: OperatorSession, bytes: number): void {
    session.stale = true;
    session.staleSinceMs = performance.now();
    this.#deps.hub.detachAll(session);
    this.#stale.add(session);
    this.#deps.metrics.slowReaderCutoffs.inc();
    this.#deps.metrics.wsStaleConnections.inc();
    // Queued behind what the client has not read yet: when it gets here it knows why the diffs stopped.
    session.send({ type: 'stale', reason: 'slow_reader', topics: [...session.subscriptions], bufferedBytes: bytes });
  }

  #recover(session: OperatorSession): void {
    this.forget(session);
    this.#deps.resync(session);
  }
}
