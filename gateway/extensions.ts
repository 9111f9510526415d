/**
 * The route groups and socket mounts beyond the home-call core, in one list, so the server and the tests
 * start the same gateway (gateway/start-server.ts passes it by default). Each reads its settings from
 * `context.config`.
 */
import type { GatewayExtension } from './server.ts';
import { webhookExtension } from './webhooks/webhook-extension.ts';
import { mountOperatorSocket } from './ws/operator-socket.ts';
import { postgresExtension } from './postgres-extension.ts';
import { uiExtension } from './ui/ui-extension.ts';
import { workerExtension } from '../workers/worker-extension.ts';
import { fhirExtension } from './fhir/fhir-extension.ts';
import { timeTravelExtension } from './time-travel/time-travel-extension.ts';

export const gatewayExtensions: ReadonlyArray<GatewayExtension> = [
  webhookExtension,
  mountOperatorSocket,
  postgresExtension,
  uiExtension,
  workerExtension,
  fhirExtension,
  timeTravelExtension,
];
