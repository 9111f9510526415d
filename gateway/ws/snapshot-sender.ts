/**
 * Snapshots: the full view of a topic, sent when a client subscribes, when it asks (`resync`, after it saw
 * a gap), and when a stale connection has drained. A snapshot is built after a durable barrier (as partner
 * API reads are) and stamped with the topic's current sequence number; in the same synchronous step the
 * connection is attached to the topic, so the next diff it receives is exactly `seq + 1` and nothing falls
 * between snapshot and diffs. Diffs carry whole entities, so one that repeats what the snapshot already shows
 * is harmless to apply.
 */
import type { Logger } from 'pino';
import type { EngineHost } from '../../persistence/engine-host.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { callSnapshot, clinicSnapshot } from './clinic-view.ts';
import { doctorSnapshot } from './doctor-view.ts';
import type { OperatorSession } from './operator-session.ts';
import type { OperatorSocketSettings } from './socket-settings.ts';
import type { TopicHub } from './topic-hub.ts';
import { parseTopic } from './topics.ts';
import type { ErrorFrame } from './socket-frames.ts';

export type SnapshotReason = 'subscribe' | 'resync';

export interface SnapshotSenderDeps {
  readonly host: EngineHost;
  readonly hub: TopicHub;
  readonly settings: OperatorSocketSettings;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly sendError: (session: OperatorSession, error: ErrorFrame) => void;
}

export class SnapshotSender {
  readonly #deps: SnapshotSenderDeps;

  constructor(deps: SnapshotSenderDeps) {
    this.#deps = deps;
  }

  /** Sends snapshots of `topics` (those still subscribed when the barrier passes) and attaches them. */
  async send(session: OperatorSession, topics: readonly string[], reason: SnapshotReason, requestId?: string | number): Promise<void> {
    try {
      await this.#deps.host.whenDurable();
    } catch (error) {
      // The log failed: the host stops the process (rule 3); nothing sensible to send meanwhile.
      this.#deps.logger.error({ err: error, session: session.id }, 'durable barrier failed before a snapshot');
      return;
    }
    if (!session.open) return;
    // A cut-off connection gets snapshots only from its own resync, once it has drained: asking (or
    // subscribing) while stale must not reopen the flow to a reader that is still behind.
    if (session.stale && !session.resyncing) return;
    session.stale = false;
    session.resyncing = false;
    const socket = session.socket;
    if (socket === undefined) return;
    socket.cork(() => {
      for (const topic of topics) {
        if (!session.subscriptions.has(topic)) continue;
        this.#sendOne(session, topic, reason, requestId);
      }
    });
  }

  /** Resync of a drained stale connection: every topic it follows. */
  resync(session: OperatorSession): Promise<void> {
    session.resyncing = true;
    return this.send(session, [...session.subscriptions], 'resync');
  }

  #sendOne(session: OperatorSession, topic: string, reason: SnapshotReason, requestId: string | number | undefined): void {
    const data = this.#build(topic);
    if (data === undefined) {
      // Gone since the subscription was checked (a clinic or doctor cannot vanish today; a call cannot either).
      session.subscriptions.delete(topic);
      this.#deps.hub.detach(session, topic);
      this.#deps.sendError(session, { code: 'not_found', message: `${topic} not found`, topic, ...(requestId === undefined ? {} : { requestId }) });
      return;
    }
    const frame: Record<string, unknown> = { type: 'snapshot', topic, seq: this.#deps.hub.seq(topic), reason, data };
    if (requestId !== undefined) frame['requestId'] = requestId;
    session.send(frame);
    this.#deps.hub.attach(session, topic);
    this.#deps.metrics.wsSnapshots.inc({ reason });
  }

  #build(topic: string): Record<string, unknown> | undefined {
    const parsed = parseTopic(topic);
    if (parsed === undefined) return undefined;
    const read = this.#deps.host.read;
    const now = this.#deps.now();
    switch (parsed.kind) {
      case 'clinic':
        return clinicSnapshot(read, parsed.id, now, this.#deps.settings.clinicSnapshotCallsMax);
      case 'doctor':
        return doctorSnapshot(read, parsed.id, now, this.#deps.settings.doctorSnapshotDaysMax);
      case 'call':
        return callSnapshot(read, parsed.id);
    }
  }
}
