/**
 * The FHIR facade's wire format: `application/fhir+json` both ways (`_format` and Accept honoured: JSON only,
 * anything else is 406), and errors as an `OperationOutcome` with the HTTP status of the Problem it carries.
 * Plugged into the shared request pipeline as a route dialect, so auth, rate limits and body limits are the
 * partner API's own.
 */
import { Problem } from '../http/problem.ts';
import type { RouteDialect } from '../http/route.ts';

export const fhirContentType = 'application/fhir+json; charset=utf-8';
export const fhirBase = '/fhir/R4';
export const fhirVersion = '4.0.1';

/** `_format` values that mean JSON (FHIR R4 §3.1.0.1.10: the short form, the MIME types). */
const jsonFormats = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir', 'text/json']);
const acceptableTypes = new Set(['application/fhir+json', 'application/json', 'application/json+fhir', '*/*', 'application/*', 'text/json']);

/** The FHIR issue-type code for a Problem: the HTTP status decides, a few engine codes refine it. */
function issueCodeOf(problem: Problem): string {
  if (problem.code === 'rule_broken' || problem.code === 'illegal_transition') return 'business-rule';
  if (problem.code === 'too_costly') return 'too-costly';
  switch (problem.status) {
    case 400: return problem.errors === undefined ? 'invalid' : 'value';
    case 401: return 'login';
    case 403: return 'forbidden';
    case 404: return 'not-found';
    case 405: case 406: case 415: return 'not-supported';
    case 409: return 'conflict';
    case 410: return 'deleted';
    case 413: return 'too-long';
    case 422: return 'processing';
    case 429: return 'throttled';
    case 503: return 'transient';
    default: return 'exception';
  }
}

export function operationOutcomeOf(problem: Problem): Record<string, unknown> {
  const code = issueCodeOf(problem);
  const issue: Array<Record<string, unknown>> = [{ severity: 'error', code, details: { text: problem.code }, diagnostics: problem.message }];
  for (const error of problem.errors ?? []) issue.push({ severity: 'error', code, diagnostics: `${error.path}: ${error.message}` });
  return { resourceType: 'OperationOutcome', issue };
}

function checkFormat(query: Readonly<Record<string, string>>, accept: string): void {
  const format = query['_format'];
  if (format !== undefined) {
    const type = format.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!jsonFormats.has(type)) throw new Problem(406, 'not_acceptable', `_format ${format} is not served: this server speaks FHIR JSON only (json, application/fhir+json)`);
    return;
  }
  if (accept.trim() === '') return;
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '');
  if (!types.some((type) => acceptableTypes.has(type) || type.endsWith('+json'))) {
    throw new Problem(406, 'not_acceptable', `Accept ${accept} is not served: this server speaks FHIR JSON only (application/fhir+json)`);
  }
}

export const fhirDialect: RouteDialect = {
  name: 'fhir',
  contentType: fhirContentType,
  problemContentType: fhirContentType,
  problemBody: operationOutcomeOf,
  checkFormat,
};
