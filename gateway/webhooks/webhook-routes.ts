/**
 * Webhook endpoints (API.md "Events out"): subscribe, list one's own subscriptions with their delivery
 * status, look at one (with its dead letters), unsubscribe. Partners and admins only; a token sees and
 * deletes only the subscriptions it made, and anyone else's id is a plain 404.
 *
 * A subscription is durable before its 201, starts at the log's durable head (it receives what is committed
 * after it), and keeps the scope its token had: a clinic-scoped token's subscription gets only its clinics'
 * events. A POST with an Idempotency-Key already used returns the first subscription (same body: 201), or 422
 * when the body differs.
 */
import { randomBytes } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { Problem } from '../http/problem.ts';
import { defineRoute, type Route, type RouteReply } from '../http/route.ts';
import { problemReplies } from '../schemas/common.ts';
import { isoAt } from '../views.ts';
import type { WebhookDispatcher } from './webhook-dispatcher.ts';
import { isWebhookEventName, webhookEventNames } from './webhook-events.ts';
import type { WebhookOutbox } from './webhook-outbox.ts';
import { CreateWebhookBody, WebhookStatusView, WebhookView } from './webhook-schemas.ts';
import { subscriptionsMax, subscriptionsPerOwnerMax, type SubscriptionRecord, type WebhookStore } from './webhook-store.ts';
import type { DeliveryStatus } from './subscription-worker.ts';
import { checkWebhookHost, type Resolver, type WebhookAllowList } from './webhook-address-guard.ts';

export const deadLettersShownMax = 20;
const tag = 'Webhooks';
const roles = ['partner', 'admin'] as const;
const idPattern = /^wh_[0-9a-f]{20}$/;

export interface WebhookRouteDeps {
  readonly store: WebhookStore;
  readonly dispatcher: WebhookDispatcher;
  readonly outbox: WebhookOutbox;
  readonly now: () => number;
  /** The SSRF guard's allow-list (WEBHOOK_ALLOW_HOSTS) and the name resolver it checks names with. */
  readonly allow: WebhookAllowList;
  readonly resolver?: Resolver;
}

export function webhookRoutes(deps: WebhookRouteDeps): Route[] {
  // Two POSTs with one key racing: the second waits for the first and answers the same.
  const creating = new Map<string, Promise<RouteReply>>();
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/webhooks',
      operationId: 'createWebhook',
      summary: 'Subscribe a URL to call and appointment events (signed POSTs, at least once, in order)',
      tag,
      roles,
      body: CreateWebhookBody,
      replies: { 201: WebhookView, ...problemReplies },
      handle: async (context) => {
        const idempotency = context.idempotency;
        if (idempotency === undefined) return create(deps, context.principal, context.body, undefined);
        for (let racing = creating.get(idempotency.key); racing !== undefined; racing = creating.get(idempotency.key)) {
          await racing.catch(() => undefined);
        }
        const first = deps.store.byIdempotencyKey(idempotency.key);
        if (first !== undefined) {
          if (first.idempotency?.requestHash !== idempotency.requestHash) throw new Problem(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
          return created(first);
        }
        const reply = create(deps, context.principal, context.body, idempotency);
        creating.set(idempotency.key, reply);
        try {
          return await reply;
        } finally {
          creating.delete(idempotency.key);
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/webhooks',
      operationId: 'listWebhooks',
      summary: "The caller's own subscriptions with their delivery status",
      tag,
      roles,
      replies: { 200: Type.Array(WebhookStatusView), ...problemReplies },
      handle: (context) => ({ status: 200, body: deps.store.ofOwner(context.principal.id).map((record) => statusView(deps, record, false)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/webhooks/:id',
      operationId: 'getWebhook',
      summary: 'One of the caller\'s subscriptions with its delivery status and newest dead letters',
      tag,
      roles,
      replies: { 200: WebhookStatusView, ...problemReplies },
      handle: (context) => ({ status: 200, body: statusView(deps, ownRecord(deps, context.principal.id, context.params[0] ?? ''), true) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/webhooks/:id',
      operationId: 'deleteWebhook',
      summary: 'Unsubscribe: no delivery is attempted once this answers',
      tag,
      roles,
      replies: { 204: Type.Null(), ...problemReplies },
      handle: async (context) => {
        const id = context.params[0] ?? '';
        if (deps.store.wasRemovedBy(id, context.principal.id)) return { status: 204, body: null };
        ownRecord(deps, context.principal.id, id);
        // Stop first, so no request is in flight or can start once the record is gone.
        await deps.dispatcher.remove(id);
        await deps.store.remove(id, deps.now());
        return { status: 204, body: null };
      },
    }),
  ];
}

async function create(
  deps: WebhookRouteDeps,
  owner: SubscriptionRecord['owner'],
  body: Static<typeof CreateWebhookBody>,
  idempotency: SubscriptionRecord['idempotency'],
): Promise<RouteReply> {
  const url = checkedUrl(body.url);
  const verdict = await checkWebhookHost(new URL(url).hostname, deps.allow, deps.resolver);
  if (!verdict.ok) throw invalid('/url', `must reach a public receiver: ${verdict.reason} (an on-premises receiver needs WEBHOOK_ALLOW_HOSTS)`);
  const events = checkedEvents(body.events);
  if (deps.store.ofOwner(owner.id).length >= subscriptionsPerOwnerMax) throw new Problem(409, 'rule_broken', `at most ${subscriptionsPerOwnerMax} webhook subscriptions per token; delete one first`);
  if (deps.store.size >= subscriptionsMax) throw new Problem(409, 'rule_broken', `the server holds its maximum of ${subscriptionsMax} webhook subscriptions`);
  const record: SubscriptionRecord = {
    id: `wh_${randomBytes(10).toString('hex')}`,
    owner: { id: owner.id, role: owner.role, scope: owner.scope, label: owner.label },
    url,
    events,
    secret: body.secret,
    createdAt: deps.now(),
    ...(idempotency === undefined ? {} : { idempotency }),
  };
  const head = deps.outbox.head();
  await deps.store.create(record, { position: head.position, index: head.index, delivered: 0, deadLettered: 0 });
  deps.dispatcher.add(record);
  return created(record);
}

function created(record: SubscriptionRecord): RouteReply {
  return { status: 201, body: view(record), headers: { Location: `/api/v1/webhooks/${record.id}` } };
}

function checkedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('/url', 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('/url', 'must be an http or https URL');
  // Credentials in a URL end up in logs and status pages; the signature is how a receiver trusts us.
  if (url.username !== '' || url.password !== '') throw invalid('/url', 'must not carry user or password; verify X-Signature instead');
  if (url.hash !== '') throw invalid('/url', 'must not have a fragment');
  return url.href;
}

function checkedEvents(events: readonly string[]): string[] {
  const unknown = events.findIndex((name) => !isWebhookEventName(name));
  if (unknown >= 0) throw invalid(`/events/${unknown}`, `unknown event name "${events[unknown] ?? ''}"; known: ${webhookEventNames.join(', ')}`);
  const unique = [...new Set(events)];
  if (unique.length !== events.length) throw invalid('/events', 'names an event twice');
  return unique;
}

function invalid(path: string, message: string): Problem {
  return new Problem(400, 'validation_failed', `the body is invalid: ${path} ${message}`, { errors: [{ path, message }] });
}

function ownRecord(deps: WebhookRouteDeps, ownerId: string, id: string): SubscriptionRecord {
  const record = idPattern.test(id) ? deps.store.get(id) : undefined;
  if (record === undefined || record.owner.id !== ownerId) throw new Problem(404, 'not_found', `webhook subscription ${id} not found`);
  return record;
}

function view(record: SubscriptionRecord): Record<string, unknown> {
  return { id: record.id, url: record.url, events: [...record.events], createdAt: isoAt(record.createdAt, 'UTC') };
}

function statusView(deps: WebhookRouteDeps, record: SubscriptionRecord, withDeadLetters: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...view(record), delivery: deliveryView(deps.dispatcher.status(record.id) ?? stoppedStatus(deps, record)) };
  if (withDeadLetters) out['deadLetters'] = deps.store.deadLetters(record.id, deadLettersShownMax).map((letter) => ({ ...letter, at: isoAt(letter.at, 'UTC') }));
  return out;
}

/** The stored cursor, for a subscription without a running worker (the gateway is shutting down). */
function stoppedStatus(deps: WebhookRouteDeps, record: SubscriptionRecord): DeliveryStatus {
  const cursor = deps.store.cursor(record.id);
  const deliveredPosition = (cursor?.position ?? 1) - 1;
  return {
    deliveredPosition,
    pendingEvents: 0,
    logPositionsBehind: Math.max(0, deps.outbox.durablePosition - deliveredPosition),
    delivered: cursor?.delivered ?? 0,
    deadLettered: cursor?.deadLettered ?? 0,
    attempts: 0,
  };
}

function deliveryView(status: DeliveryStatus): Record<string, unknown> {
  const { lastDeliveredAt, lastError, nextAttemptAt, ...counts } = status;
  return {
    ...counts,
    ...(lastDeliveredAt === undefined ? {} : { lastDeliveredAt: isoAt(lastDeliveredAt, 'UTC') }),
    ...(lastError === undefined ? {} : { lastError: { ...lastError, at: isoAt(lastError.at, 'UTC') } }),
    ...(nextAttemptAt === undefined ? {} : { nextAttemptAt: isoAt(nextAttemptAt, 'UTC') }),
  };
}
