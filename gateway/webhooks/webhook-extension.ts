/**
 * The webhooks as a gateway extension: opens the subscription store and the outbox on the host's LMDB
 * environment, starts the dispatcher, returns the routes, and stops delivery on close (before the host
 * closes its storage, since the gateway is closed first). `webhookExtension` runs with the production
 * bounds; tests build one with smaller delays (and, for the DNS-rebinding test, a scripted name resolver)
 * through `createWebhookExtension`.
 */
import type { GatewayContext } from '../server.ts';
import type { Route } from '../http/route.ts';
import { deliveryOptionsOf, type WebhookDeliveryOptions } from './webhook-delivery-options.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import { WebhookOutbox } from './webhook-outbox.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { WebhookStore } from './webhook-store.ts';
import { WebhookAllowList, type Resolver } from './webhook-address-guard.ts';

export function createWebhookExtension(overrides: Partial<WebhookDeliveryOptions> = {}, resolver?: Resolver): (context: GatewayContext) => Route[] {
  const options = deliveryOptionsOf(overrides);
  return (context) => {
    const now = () => context.clock.now();
    const store = new WebhookStore(context.host.environment, now(), context.security.webhookSecretsKey);
    const outbox = WebhookOutbox.open(context.host);
    const logger = context.logger.child({ module: 'webhooks' });
    const allow = new WebhookAllowList(context.security.webhookAllowHosts);
    const tokens = context.tokens;
    const dispatcher = new WebhookDispatcher({ host: context.host, store, outbox, options, metrics: context.metrics, logger, nowMs: now, allow, isActive: (id) => tokens.isActive(id), ...(resolver === undefined ? {} : { resolver }) });
    // Subscriptions belong to a principal and stop with it (docs/security.md).
    tokens.onChange((change) => {
      if (change.kind === 'principal-disabled') void dispatcher.stopOwner(change.principalId);
      else if (change.kind === 'principal-enabled') dispatcher.resumeOwner(change.principalId);
    });
    dispatcher.start();
    context.onClose(() => dispatcher.stop());
    return webhookRoutes({ store, dispatcher, outbox, now, allow, ...(resolver === undefined ? {} : { resolver }) });
  };
}

export const webhookExtension = createWebhookExtension();
