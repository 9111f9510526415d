/**
 * Reading a FHIR `Parameters` body: each parameter's value by the type the operation expects, whichever
 * `value[x]` the client chose among the sensible ones, and the resources given as `*-resource`. An unknown
 * parameter name is refused with the list of known ones. Also turns a FHIR Patient into our booking form.
 */
import type { PatientInput } from '../../engine/patient.ts';
import { Problem } from '../http/problem.ts';
import { policyIdentifierSystem } from './fhir-resources.ts';

type Json = Record<string, unknown>;

export function invalid(path: string, message: string): Problem {
  return new Problem(400, 'validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
}

export class OperationParameters {
  readonly #byName = new Map<string, Json[]>();

  private constructor() {}

  /** Parses the body (a `Parameters` resource, or nothing when `optional`) against the operation's names. */
  static parse(body: unknown, known: readonly string[], optional = false): OperationParameters {
    const parameters = new OperationParameters();
    if (body === undefined && optional) return parameters;
    if (typeof body !== 'object' || body === null || (body as Json)['resourceType'] !== 'Parameters') throw invalid('/resourceType', 'the body must be a FHIR Parameters resource');
    const list = (body as Json)['parameter'] ?? [];
    if (!Array.isArray(list)) throw invalid('/parameter', 'must be an array');
    list.forEach((entry: unknown, index) => {
      const name = typeof entry === 'object' && entry !== null ? (entry as Json)['name'] : undefined;
      if (typeof name !== 'string') throw invalid(`/parameter/${index}/name`, 'required');
      if (!known.includes(name)) throw invalid(`/parameter/${index}/name`, `${name} is not a parameter of this operation; known: ${known.join(', ')}`);
      parameters.#byName.set(name, [...(parameters.#byName.get(name) ?? []), entry as Json]);
    });
    return parameters;
  }

  /** From a query string instead (GET $find): every value is a string. */
  static fromQuery(rawQuery: string, known: readonly string[]): OperationParameters {
    const parameters = new OperationParameters();
    for (const [name, value] of new URLSearchParams(rawQuery)) {
      if (name === '_format') continue;
      if (!known.includes(name)) throw invalid(`/${name}`, `${name} is not a parameter of this operation; known: ${known.join(', ')}`);
      parameters.#byName.set(name, [...(parameters.#byName.get(name) ?? []), { name, valueString: value }]);
    }
    return parameters;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  #entries(name: string): Json[] {
    return this.#byName.get(name) ?? [];
  }

  #single(name: string): Json | undefined {
    const entries = this.#entries(name);
    if (entries.length > 1) throw invalid(`/parameter/${name}`, 'may be given once');
    return entries[0];
  }

  /** A date, date-time or instant, as text (the caller parses it). */
  dateTime(name: string): string | undefined {
    const entry = this.#single(name);
    if (entry === undefined) return undefined;
    const value = entry['valueDateTime'] ?? entry['valueInstant'] ?? entry['valueDate'] ?? entry['valueString'];
    if (typeof value !== 'string') throw invalid(`/parameter/${name}`, 'must carry valueDateTime');
    return value;
  }

  references(name: string): string[] {
    return this.#entries(name).map((entry) => {
      const value = (entry['valueReference'] as Json | undefined)?.['reference'] ?? entry['valueString'] ?? entry['valueUri'];
      if (typeof value !== 'string') throw invalid(`/parameter/${name}`, 'must carry valueReference.reference');
      return value;
    });
  }

  reference(name: string): string | undefined {
    this.#single(name);
    return this.references(name)[0];
  }

  /** Codes: valueCoding.code, valueCodeableConcept's first coding code (else its text), valueCode, valueString. */
  codes(name: string): string[] {
    return this.#entries(name).map((entry) => {
      const coding = entry['valueCoding'] as Json | undefined;
      const concept = entry['valueCodeableConcept'] as Json | undefined;
      const firstCoding = Array.isArray(concept?.['coding']) ? (concept['coding'][0] as Json | undefined) : undefined;
      const value = coding?.['code'] ?? firstCoding?.['code'] ?? concept?.['text'] ?? entry['valueCode'] ?? entry['valueString'];
      if (typeof value !== 'string') throw invalid(`/parameter/${name}`, 'must carry valueCoding or valueCodeableConcept');
      return value;
    });
  }

  integer(name: string): number | undefined {
    const entry = this.#single(name);
    if (entry === undefined) return undefined;
    const raw = entry['valueInteger'] ?? entry['valuePositiveInt'] ?? entry['valueUnsignedInt'] ?? entry['valueString'];
    const value = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(`/parameter/${name}`, 'must carry a whole number >= 0');
    return value;
  }

  text(name: string): string | undefined {
    const entry = this.#single(name);
    if (entry === undefined) return undefined;
    const value = entry['valueString'];
    if (typeof value !== 'string') throw invalid(`/parameter/${name}`, 'must carry valueString');
    return value;
  }

  resource(name: string, resourceType: string): Json | undefined {
    const entry = this.#single(name);
    if (entry === undefined) return undefined;
    const resource = entry['resource'];
    if (typeof resource !== 'object' || resource === null || (resource as Json)['resourceType'] !== resourceType) throw invalid(`/parameter/${name}/resource`, `must be a ${resourceType}`);
    return resource as Json;
  }
}

/**
 * A FHIR Patient as our booking form: family and the first given name are the surname and name, a second
 * given name the patronymic; birthDate and gender (male | female) are required, as is a phone; the policy is
 * the identifier of our policy system (or of no system).
 */
export function patientInputOf(patient: Json): PatientInput {
  const name = Array.isArray(patient['name']) ? (patient['name'][0] as Json | undefined) : undefined;
  const family = name?.['family'];
  const given = Array.isArray(name?.['given']) ? (name['given'] as unknown[]) : [];
  if (typeof family !== 'string' || typeof given[0] !== 'string') throw invalid('/patient-resource/name/0', 'family and given are required');
  const birthDate = patient['birthDate'];
  if (typeof birthDate !== 'string') throw invalid('/patient-resource/birthDate', 'required');
  const gender = patient['gender'];
  if (gender !== 'male' && gender !== 'female') throw invalid('/patient-resource/gender', 'must be male or female');
  const telecom = Array.isArray(patient['telecom']) ? (patient['telecom'] as Json[]) : [];
  const phone = telecom.find((entry) => entry['system'] === 'phone' && typeof entry['value'] === 'string')?.['value'] as string | undefined;
  const identifiers = Array.isArray(patient['identifier']) ? (patient['identifier'] as Json[]) : [];
  const policy = identifiers.find((entry) => (entry['system'] === undefined || entry['system'] === policyIdentifierSystem) && typeof entry['value'] === 'string')?.['value'] as string | undefined;
  return {
    surname: family,
    name: given[0],
    ...(typeof given[1] === 'string' ? { patronymic: given[1] } : {}),
    birthDate,
    sex: gender === 'female' ? 'F' : 'M',
    ...(phone === undefined ? {} : { phone }),
    ...(policy === undefined ? {} : { policy }),
  };
}
