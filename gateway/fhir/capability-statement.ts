/**
 * `GET /fhir/R4/metadata`: the CapabilityStatement, generated from the catalogue (fhir-catalog.ts) that the
 * routes parse their searches with, so it lists every resource, search parameter and operation served and
 * nothing else.
 */
import { fhirVersion } from './fhir-dialect.ts';
import { resourceCatalog } from './fhir-catalog.ts';
import { fhirRoute } from './fhir-route.ts';
import type { Route } from '../http/route.ts';

export function capabilityStatement(softwareVersion: string, dateIso: string): Record<string, unknown> {
  return {
    resourceType: 'CapabilityStatement',
    id: 'clinic-dispatch',
    status: 'active',
    date: dateIso,
    publisher: 'clinic-dispatch',
    kind: 'instance',
    software: { name: 'clinic-dispatch', version: softwareVersion },
    implementation: { description: 'FHIR R4 scheduling facade (IHE ITI Scheduling) over the clinic-dispatch engine' },
    fhirVersion,
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [{
      mode: 'server',
      documentation: 'Same bearer tokens and scopes as the partner API (/api/v1). Errors are OperationOutcome with the HTTP status. Unknown search parameters are refused (400), not ignored.',
      security: { cors: false, description: 'Authorization: Bearer <partner API token>; the scope (region, clinics, one doctor) limits what is visible, 403 outside it' },
      resource: resourceCatalog.map((spec) => ({
        type: spec.type,
        documentation: spec.documentation,
        interaction: spec.interactions.map((code) => ({ code })),
        ...(spec.interactions.includes('update') ? { updateCreate: false } : {}),
        searchParam: spec.searchParams.map((param) => ({ name: param.name, type: param.type, documentation: param.documentation })),
        ...(spec.operations.length === 0 ? {} : { operation: spec.operations.map((operation) => ({ name: operation.name, definition: operation.definition, documentation: operation.documentation })) }),
      })),
      searchParam: [
        { name: '_count', type: 'number', documentation: 'Page size, default 50, at most 500' },
        { name: '_offset', type: 'number', documentation: 'Paging: the first match to return (Bundle.link next carries it)' },
      ],
    }],
  };
}

export function capabilityRoute(softwareVersion: string, dateIso: string): Route {
  const statement = capabilityStatement(softwareVersion, dateIso);
  return fhirRoute({ method: 'get', path: '/metadata', operationId: 'fhirCapabilities', summary: 'The CapabilityStatement', public: true, handle: () => ({ status: 200, body: statement }) });
}
