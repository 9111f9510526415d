/**
 * Fan-out (DESIGN.md rule 5): the events of one durable batch are gathered per topic, each topic's changes
 * become ONE diff frame (split only past `diffEntitiesPerFrameMax` entities), encoded once per codec and
 * published with uWS pub/sub, which copies it to every subscriber in native code. Each frame carries the
 * topic's next sequence number, so a client that misses one sees the gap and asks for a snapshot.
 *
 * Only topics that have subscribers are looked at, and only the entities the events name are read, so the
 * work per batch is O(events) plus the encoding of what is actually sent — never O(state). The subscriber
 * registry holds only connections that are receiving diffs: a stale (cut-off) connection is out of it until
 * its resync, and a topic nobody follows has no entry and no sequence number.
 *
 * After publishing, the subscribers of the published topics are handed to the backpressure guard on the
 * next turn (uWS delivers small frames at the end of the loop iteration, so their buffered amounts are only
 * then up to date).
 */
import type { TemplatedApp } from 'uWebSockets.js';
import type { AddressedEvent, ClinicEvent, DoctorEvent, ReadModel } from '../../engine/index.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { callSnapshot, clinicDiff, clinicEventTouch } from './clinic-view.ts';
import { DoctorChanges, doctorDiff } from './doctor-view.ts';
import { encodeFrame, type FrameCodec } from './frame-codec.ts';
import type { OperatorSession } from './operator-session.ts';
import type { OperatorSocketSettings } from './socket-settings.ts';
import { callTopic, clinicTopic, doctorTopic, wireTopicOf } from './topics.ts';

interface TopicEntry {
  readonly sessions: Set<OperatorSession>;
  msgpack: number;
  json: number;
}

export interface TopicHubDeps {
  readonly app: TemplatedApp;
  readonly metrics: GatewayMetrics;
  readonly settings: OperatorSocketSettings;
  readonly read: ReadModel;
  readonly now: () => number;
  /** Receives the subscribers of what was just published, once uWS has queued it. */
  readonly checkBuffers: (sessions: ReadonlySet<OperatorSession>) => void;
}

export class TopicHub {
  readonly #deps: TopicHubDeps;
  readonly #entries = new Map<string, TopicEntry>();
  readonly #seqs = new Map<string, number>();
  /** Subscriber sets of the topics published this turn (not copied per session: ~45 per clinic frame). */
  #toCheck = new Set<ReadonlySet<OperatorSession>>();
  #checkScheduled = false;

  constructor(deps: TopicHubDeps) {
    this.#deps = deps;
  }

  /** The number of the last frame published on the topic: a snapshot taken now is consistent with it. */
  seq(topic: string): number {
    return this.#seqs.get(topic) ?? 0;
  }

  subscriberCount(topic: string): number {
    return this.#entries.get(topic)?.sessions.size ?? 0;
  }

  /** Starts delivering the topic's diffs to the session; call right after sending its snapshot. */
  attach(session: OperatorSession, topic: string): void {
    const socket = session.socket;
    if (socket === undefined || !session.open) return;
    let entry = this.#entries.get(topic);
    if (entry === undefined) {
      entry = { sessions: new Set(), msgpack: 0, json: 0 };
      this.#entries.set(topic, entry);
    }
    if (entry.sessions.has(session)) return;
    entry.sessions.add(session);
    entry[session.codec] += 1;
    socket.subscribe(wireTopicOf(topic, session.codec));
  }

  detach(session: OperatorSession, topic: string): void {
    const entry = this.#entries.get(topic);
    if (entry === undefined || !entry.sessions.delete(session)) return;
    entry[session.codec] -= 1;
    if (session.open && session.socket !== undefined) session.socket.unsubscribe(wireTopicOf(topic, session.codec));
    if (entry.sessions.size === 0) {
      this.#entries.delete(topic);
      this.#seqs.delete(topic);
    }
  }

  /** Stops every diff to the session (cut-off or close); its subscription list is kept for a resync. */
  detachAll(session: OperatorSession): void {
    // A stale or closed session is skipped by the buffer check, so it may stay in a group to check.
    for (const topic of session.subscriptions) this.detach(session, topic);
  }

  /** The onDurable listener: one durable batch in, at most one frame per topic out (before splitting). */
  publishBatch(events: readonly AddressedEvent[]): void {
    if (this.#entries.size === 0) return;
    const clinics = new Map<string, { readonly calls: Set<string>; readonly alerts: Set<string> }>();
    const calls = new Set<string>();
    const doctors = new Map<string, DoctorChanges>();
    for (const { address, event } of events) {
      if (address.startsWith('clinic/')) {
        const clinicId = address.slice('clinic/'.length);
        const touch = clinicEventTouch(event as ClinicEvent);
        if (this.#entries.has(clinicTopic(clinicId))) {
          let changes = clinics.get(clinicId);
          if (changes === undefined) {
            changes = { calls: new Set(), alerts: new Set() };
            clinics.set(clinicId, changes);
          }
          if (touch.callId !== undefined) changes.calls.add(touch.callId);
          if (touch.alertId !== undefined) changes.alerts.add(touch.alertId);
        }
        if (touch.callId !== undefined && this.#entries.has(callTopic(touch.callId))) calls.add(touch.callId);
      } else if (address.startsWith('doctor/')) {
        const doctorId = address.slice('doctor/'.length);
        if (!this.#entries.has(doctorTopic(doctorId))) continue;
        let changes = doctors.get(doctorId);
        if (changes === undefined) {
          changes = new DoctorChanges();
          doctors.set(doctorId, changes);
        }
        changes.note(event as DoctorEvent);
      }
    }
    this.#publishClinics(clinics);
    for (const callId of calls) {
      const data = callSnapshot(this.#deps.read, callId);
      if (data !== undefined) this.#publish(callTopic(callId), data);
    }
    for (const [doctorId, changes] of doctors) {
      for (const part of changes.split(this.#deps.settings.diffEntitiesPerFrameMax)) {
        const data = doctorDiff(this.#deps.read, doctorId, this.#deps.now(), part, this.#deps.settings.doctorSnapshotDaysMax);
        if (data !== undefined) this.#publish(doctorTopic(doctorId), data);
      }
    }
  }

  #publishClinics(clinics: ReadonlyMap<string, { readonly calls: Set<string>; readonly alerts: Set<string> }>): void {
    const perFrame = this.#deps.settings.diffEntitiesPerFrameMax;
    const now = this.#deps.now();
    for (const [clinicId, changes] of clinics) {
      const callIds = [...changes.calls];
      const alertIds = [...changes.alerts];
      // Past `perFrame` changed calls (or alerts) the diff is split into consecutive frames, each with its seq.
      const frames = Math.max(Math.ceil(callIds.length / perFrame), Math.ceil(alertIds.length / perFrame), 1);
      for (let index = 0; index < frames; index += 1) {
        const slice = (ids: readonly string[]) => ids.slice(index * perFrame, (index + 1) * perFrame);
        const data = clinicDiff(this.#deps.read, clinicId, now, slice(callIds), slice(alertIds));
        if (data !== undefined) this.#publish(clinicTopic(clinicId), data);
      }
    }
  }

  #publish(topic: string, data: Readonly<Record<string, unknown>>): void {
    const entry = this.#entries.get(topic);
    if (entry === undefined) return;
    const seq = this.seq(topic) + 1;
    this.#seqs.set(topic, seq);
    const frame = { type: 'diff', topic, seq, data };
    if (entry.msgpack > 0) this.#send(topic, frame, 'msgpack');
    if (entry.json > 0) this.#send(topic, frame, 'json');
    this.#toCheck.add(entry.sessions);
    this.#scheduleCheck();
  }

  #send(topic: string, frame: Readonly<Record<string, unknown>>, codec: FrameCodec): void {
    const { bytes, binary } = encodeFrame(frame, codec);
    this.#deps.app.publish(wireTopicOf(topic, codec), bytes, binary);
    this.#deps.metrics.framesPublished.inc();
    this.#deps.metrics.bytesPublished.inc(bytes.length);
  }

  #scheduleCheck(): void {
    if (this.#checkScheduled) return;
    this.#checkScheduled = true;
    setImmediate(() => {
      this.#checkScheduled = false;
      const groups = this.#toCheck;
      this.#toCheck = new Set();
      for (const sessions of groups) this.#deps.checkBuffers(sessions);
    });
  }
}
