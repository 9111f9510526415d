/**
 * Webhook requests and replies (API.md "Events out"). Unknown fields are refused. Event names are checked by
 * the route against webhook-events.ts so the problem can list the names that exist; the schema carries them
 * as an `enum` for the OpenAPI document.
 */
import { Type } from '@sinclair/typebox';
import { IsoTime } from '../schemas/common.ts';
import { webhookEventNames } from './webhook-events.ts';

export const urlCharsMax = 2_000;
export const secretCharsMin = 16;
export const secretCharsMax = 200;

const closed = { additionalProperties: false } as const;

export const CreateWebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: urlCharsMax, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://', description: 'http(s) URL the events are POSTed to' }),
    events: Type.Array(Type.String({ minLength: 1, maxLength: 64, enum: [...webhookEventNames] }), { minItems: 1, maxItems: webhookEventNames.length }),
    secret: Type.String({ minLength: secretCharsMin, maxLength: secretCharsMax, description: 'HMAC-SHA256 key of X-Signature; never shown again' }),
  },
  closed,
);

export const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: IsoTime,
});

const DeliveryError = Type.Object({ at: IsoTime, eventId: Type.String(), message: Type.String() });

export const DeliveryView = Type.Object({
  deliveredPosition: Type.Integer({ description: 'newest log position whose events are all delivered or dead-lettered' }),
  pendingEvents: Type.Integer({ description: 'events read ahead and waiting; more may follow' }),
  logPositionsBehind: Type.Integer(),
  delivered: Type.Integer(),
  deadLettered: Type.Integer(),
  attempts: Type.Integer({ description: 'failed attempts at the event in front' }),
  lastDeliveredAt: Type.Optional(IsoTime),
  lastError: Type.Optional(DeliveryError),
  nextAttemptAt: Type.Optional(IsoTime),
});

export const DeadLetterView = Type.Object({ eventId: Type.String(), type: Type.String(), attempts: Type.Integer(), error: Type.String(), at: IsoTime });

export const WebhookStatusView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: IsoTime,
  delivery: DeliveryView,
  deadLetters: Type.Optional(Type.Array(DeadLetterView)),
});
