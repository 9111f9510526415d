/**
 * The webhooks as a gateway extension: opens the subscription store and the outbox on the host's LMDB
 * environment, starts the dispatcher, returns the routes, and stops delivery on close (before the host
 * closes its storage, since the gateway is closed first). `webhookExtension` runs with the production
 * bounds; tests build one with smaller delays through `createWebhookExtension`.
 */
import type { GatewayContext } from '../server.ts';
import type { Route } from '../http/route.ts';
import { deliveryOptionsOf, type WebhookDeliveryOptions } from './webhook-delivery-options.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import { WebhookOutbox } from './webhook-outbox.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { WebhookStore } from './webhook-store.ts';

export function createWebhookExtension(overrides: Partial<WebhookDeliveryOptions> = {}): (context: GatewayContext) => Route[] {
  const options = deliveryOptionsOf(overrides);
  return (context) => {
    const now = () => context.clock.now();
    const store = new WebhookStore(context.host.environment, now());
    const outbox = WebhookOutbox.open(context.host);
    const logger = context.logger.child({ module: 'webhooks' });
    const dispatcher = new WebhookDispatcher({ host: context.host, store, outbox, options, metrics: context.metrics, logger, nowMs: now });
    dispatcher.start();
    context.onClose(() => dispatcher.stop());
    return webhookRoutes({ store, dispatcher, outbox, now });
  };
}

export const webhookExtension = createWebhookExtension();
