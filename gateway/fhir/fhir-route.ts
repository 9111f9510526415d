/** A FHIR facade route: the shared pipeline's Route in the FHIR dialect, under the FHIR base, tagged `FHIR`. */
import { Type } from '@sinclair/typebox';
import type { Role } from '../auth/principal.ts';
import { defineRoute, type Method, type Route, type RouteContext, type RouteReply } from '../http/route.ts';
import { fhirBase, fhirDialect } from './fhir-dialect.ts';

/** Searches take resource-specific parameters, checked by the handler against the catalogue (fhir-search.ts). */
const FhirQuery = Type.Record(Type.String(), Type.String());
/** Bodies are FHIR resources (Parameters, Appointment, JSON Patch), checked by the handler with FHIR's errors. */
const FhirBody = Type.Unknown();

export type FhirContext = RouteContext<unknown, Record<string, string>>;

export interface FhirRouteSpec {
  readonly method: Method;
  /** Below the FHIR base, e.g. `/Slot/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly roles?: readonly Role[];
  readonly public?: boolean;
  handle(context: FhirContext): Promise<RouteReply> | RouteReply;
}

export function fhirRoute(spec: FhirRouteSpec): Route {
  return defineRoute({
    method: spec.method,
    path: `${fhirBase}${spec.path}`,
    operationId: spec.operationId,
    summary: spec.summary,
    tag: 'FHIR',
    dialect: fhirDialect,
    ...(spec.roles === undefined ? {} : { roles: spec.roles }),
    ...(spec.public === undefined ? {} : { public: spec.public }),
    query: FhirQuery,
    ...(spec.method === 'get' ? {} : { body: FhirBody }),
    replies: {},
    handle: (context) => spec.handle(context as FhirContext),
  });
}
