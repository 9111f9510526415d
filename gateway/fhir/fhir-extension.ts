/**
 * The FHIR R4 scheduling facade at `/fhir/R4`, mounted on the gateway's app and request pipeline like any
 * other route group: reads, searches, the IHE operations and the CapabilityStatement, plus an
 * OperationOutcome 404 for any other path under the base. It adds no state: every answer is read from, and
 * every change is a command to, the engine host the partner API uses.
 */
import type { GatewayContext } from '../server.ts';
import { apiVersion } from '../server.ts';
import type { Route } from '../http/route.ts';
import { Problem } from '../http/problem.ts';
import { capabilityRoute } from './capability-statement.ts';
import { fhirBase, fhirContentType, operationOutcomeOf } from './fhir-dialect.ts';
import { fhirOperationRoutes } from './fhir-operations.ts';
import { fhirReadRoutes } from './fhir-read-routes.ts';

export function fhirExtension(context: GatewayContext): Route[] {
  const notFound = JSON.stringify(operationOutcomeOf(new Problem(404, 'not_found', `no such FHIR endpoint; see ${fhirBase}/metadata`)));
  context.app.any(`${fhirBase}/*`, (res) => {
    res.cork(() => res.writeStatus('404 Not Found').writeHeader('Content-Type', fhirContentType).end(notFound));
  });
  return [
    capabilityRoute(apiVersion, new Date(context.clock.now()).toISOString()),
    ...fhirReadRoutes(context.routeDeps),
    ...fhirOperationRoutes(context.routeDeps),
  ];
}
