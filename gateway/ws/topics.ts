/**
 * Topics a client may follow: `clinic/<id>` (board counters, open calls, open alerts), `doctor/<id>` (route
 * list, slot calendar, appointments, reception queue) and `call/<id>` (one call). Scope is checked here with
 * the same rules as the partner API (gateway/auth/principal.ts): a topic outside the caller's scope is
 * `forbidden` whether or not it exists, so tenants learn nothing about each other; `not_found` is said only
 * inside the scope.
 *
 * One logical topic maps to one uWS topic per codec, so each subscriber gets frames in its own encoding and
 * each frame is encoded once per codec, not once per subscriber.
 */
import { ownerOf, type ReadModel } from '../../engine/index.ts';
import { canSeeClinic, canSeeDoctor, type Principal } from '../auth/principal.ts';
import type { FrameCodec } from './frame-codec.ts';

export type TopicKind = 'clinic' | 'doctor' | 'call';

export interface ParsedTopic {
  readonly kind: TopicKind;
  readonly id: string;
  readonly name: string;
}

export const topicCharsMax = 130;
const topicPattern = /^(clinic|doctor|call)\/([A-Za-z0-9._-]{1,120})$/;

export function parseTopic(name: string): ParsedTopic | undefined {
  const match = topicPattern.exec(name);
  if (match === null) return undefined;
  return { kind: match[1] as TopicKind, id: match[2] as string, name };
}

export function clinicTopic(clinicId: string): string {
  return `clinic/${clinicId}`;
}

export function doctorTopic(doctorId: string): string {
  return `doctor/${doctorId}`;
}

export function callTopic(callId: string): string {
  return `call/${callId}`;
}

/** The uWS topic that carries a logical topic's frames in one codec (no `#`/`+`: MQTT-style wildcards elsewhere). */
export function wireTopicOf(topic: string, codec: FrameCodec): string {
  return codec === 'json' ? `${topic}|json` : topic;
}

export type TopicAccess = 'ok' | 'forbidden' | 'not_found';

export function topicAccess(principal: Principal, topic: ParsedTopic, read: ReadModel): TopicAccess {
  switch (topic.kind) {
    case 'clinic':
      if (!canSeeClinic(principal, topic.id)) return 'forbidden';
      return read.clinic(topic.id) === undefined ? 'not_found' : 'ok';
    case 'doctor': {
      const info = read.region().doctors.get(topic.id);
      if (info === undefined) return principal.scope.kind === 'region' ? 'not_found' : 'forbidden';
      if (!canSeeDoctor(principal, info.clinicId, topic.id)) return 'forbidden';
      return read.doctor(topic.id) === undefined ? 'not_found' : 'ok';
    }
    case 'call': {
      const clinicId = ownerOf(topic.id);
      if (clinicId === undefined) return principal.scope.kind === 'region' ? 'not_found' : 'forbidden';
      if (!canSeeClinic(principal, clinicId)) return 'forbidden';
      return read.call(topic.id) === undefined ? 'not_found' : 'ok';
    }
  }
}
