/**
 * The route groups and socket mounts beyond the home-call core, in one list, so the server and the tests
 * start the same gateway.
 */
import type { GatewayContext } from './server.ts';
import type { Route } from './http/route.ts';
import { webhookExtension } from './webhooks/webhook-extension.ts';
import { mountOperatorSocket } from './ws/operator-socket.ts';
import { createPostgresExtension } from './postgres-extension.ts';
import { uiExtension } from './ui/ui-extension.ts';
import { workerExtension } from '../workers/worker-extension.ts';
import { fhirExtension } from './fhir/fhir-extension.ts';
import { timeTravelExtension } from './time-travel/time-travel-extension.ts';

export const gatewayExtensions: ReadonlyArray<(context: GatewayContext) => Route[] | void> = [
  webhookExtension,
  mountOperatorSocket,
  createPostgresExtension(),
  uiExtension,
  workerExtension,
  fhirExtension,
  timeTravelExtension,
];
