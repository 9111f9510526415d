/**
 * The bytes a receiver gets: the payload JSON of one log event and its signature. The body is encoded once
 * and signed as sent, so a receiver verifies the raw bytes it read, before parsing them.
 *
 * Payload: `{id: '<position>-<index>', type, occurredAt, clinicId, callId | appointmentId, data}`. The id names
 * the event's place in the log, so it is the same on every redelivery: receivers deduplicate on it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isoAt } from '../views.ts';
import type { WebhookEvent } from './webhook-events.ts';

export const signatureHeaderPrefix = 'sha256=';

export interface WebhookPayload {
  readonly id: string;
  readonly type: string;
  readonly clinicId: string;
  readonly body: Buffer;
}

export function webhookIdOf(position: number, index: number): string {
  return `${position}-${index}`;
}

export function encodePayload(event: WebhookEvent, position: number, index: number): WebhookPayload {
  const id = webhookIdOf(position, index);
  const json = {
    id,
    type: event.type,
    occurredAt: isoAt(event.occurredAtMs, event.timeZone),
    clinicId: event.clinicId,
    ...event.subject,
    data: event.data,
  };
  return { id, type: event.type, clinicId: event.clinicId, body: Buffer.from(JSON.stringify(json)) };
}

/** `sha256=<hex HMAC-SHA256 of the raw body keyed with the subscription's secret>`. */
export function signatureOf(body: Uint8Array, secret: string): string {
  return `${signatureHeaderPrefix}${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a receiver does (docs/webhooks.md): recompute and compare in constant time. */
export function verifySignature(body: Uint8Array, header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signatureOf(body, secret));
  const actual = Buffer.from(header);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
