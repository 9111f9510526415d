/**
 * Test support: one FHIR request against a real server, its body parsed, and every FHIR body checked against
 * the official R4 JSON schema (fhir-schema-validator.ts) — a conformance suite built on this cannot let an
 * invalid resource through unnoticed.
 */
import { request } from 'undici';
import { checkFhirResource, type SchemaCheck } from './fhir-schema-validator.ts';

export interface FhirResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
  readonly schema: SchemaCheck;
}

export async function fhirCall(
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: { token?: string; body?: unknown; contentType?: string; accept?: string } = {},
): Promise<FhirResponse> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/fhir+json' };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/fhir+json';
  const response = await request(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.body.text();
  const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  return {
    status: response.statusCode,
    headers: response.headers,
    contentType: String(response.headers['content-type'] ?? ''),
    body: parsed,
    schema: checkFhirResource(parsed),
  };
}

/** `[{name, value...}]` as a Parameters resource. */
export function parameters(...parameter: Array<Record<string, unknown>>): Record<string, unknown> {
  return { resourceType: 'Parameters', parameter };
}
