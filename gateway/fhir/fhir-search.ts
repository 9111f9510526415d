/**
 * FHIR search plumbing: the raw query parsed into repeated parameters (checked against the resource's declared
 * search parameters — an unknown one is a 400, not silently ignored), date prefixes (`eq ne gt ge lt le`),
 * reference values (`Schedule/x` or `x`), token lists (`a,b` is OR; a repeated parameter is AND), paging with
 * `_count` and `_offset`, and the `searchset` Bundle with `total` and `self`/`next` links.
 *
 * Bounds: a page holds at most `fhirPageSizeMax` entries (`_count` above it is clamped, as FHIR allows); a search
 * that matches more than `fhirSearchMatchesMax` resources is refused with `too-costly` rather than walked.
 */
import { Problem } from '../http/problem.ts';
import { fhirBase } from './fhir-dialect.ts';

export const fhirPageSizeDefault = 50;
export const fhirPageSizeMax = 500;
export const fhirSearchMatchesMax = 20_000;
/** Parameters every search takes besides its own. */
export const commonSearchParameters = ['_count', '_offset', '_format'] as const;

export type SearchParameterType = 'token' | 'reference' | 'date' | 'string';

export interface SearchParameterSpec {
  readonly name: string;
  readonly type: SearchParameterType;
  readonly documentation: string;
}

export interface ParsedSearch {
  /** Values per parameter name, in order; a repeated parameter has several. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly count: number;
  readonly offset: number;
  readonly rawQuery: string;
}

function invalid(path: string, message: string): Problem {
  return new Problem(400, 'validation_failed', `${path}: ${message}`, { errors: [{ path: `/${path}`, message }] });
}

export function parseSearch(rawQuery: string, specs: readonly SearchParameterSpec[]): ParsedSearch {
  const allowed = new Set<string>([...specs.map((spec) => spec.name), ...commonSearchParameters]);
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    if (!allowed.has(name)) {
      throw new Problem(400, 'validation_failed', `search parameter ${name} is not supported here; supported: ${[...allowed].join(', ')} (see /fhir/R4/metadata)`, { errors: [{ path: `/${name}`, message: 'unknown parameter' }] });
    }
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }
  const count = integerParameter(values.get('_count')?.at(-1), '_count', fhirPageSizeDefault);
  const offset = integerParameter(values.get('_offset')?.at(-1), '_offset', 0);
  return { values, count: Math.min(count, fhirPageSizeMax), offset, rawQuery };
}

function integerParameter(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw invalid(name, 'must be a whole number >= 0');
  return Number(value);
}

/** The id of a reference value: `Type/id`, an absolute URL ending in `Type/id`, or a bare id. */
export function referenceIdOf(value: string, type: string, path: string): string {
  const marker = `${type}/`;
  const at = value.lastIndexOf(marker);
  const id = at >= 0 ? value.slice(at + marker.length) : value.includes('/') ? '' : value;
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw invalid(path, `must reference a ${type} (${type}/<id>)`);
  return id;
}

/** Comma-separated alternatives of a token parameter (OR); every repetition must match (AND). */
export function tokenAlternatives(values: readonly string[] | undefined): string[][] {
  return (values ?? []).map((value) => value.split(',').map((part) => part.trim()).filter((part) => part !== ''));
}

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type DatePredicate =
  /** A date without a time: compared with the resource's local date. */
  | { readonly prefix: DatePrefix; readonly kind: 'date'; readonly date: string }
  /** A date-time with an offset: compared with the resource's instant. */
  | { readonly prefix: DatePrefix; readonly kind: 'instant'; readonly at: number };

const datePattern = /^(eq|ne|gt|ge|lt|le)?(\d{4}-\d{2}-\d{2})$/;
const instantPattern = /^(eq|ne|gt|ge|lt|le)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))$/;

export function parseDatePredicate(value: string, path: string): DatePredicate {
  const date = datePattern.exec(value);
  if (date !== null) return { prefix: (date[1] ?? 'eq') as DatePrefix, kind: 'date', date: date[2] as string };
  const instant = instantPattern.exec(value);
  const at = instant === null ? Number.NaN : Date.parse(instant[2] as string);
  if (instant === null || !Number.isFinite(at)) {
    throw invalid(path, 'must be [prefix]YYYY-MM-DD or [prefix]YYYY-MM-DDThh:mm[:ss]±hh:mm (prefix eq, ne, gt, ge, lt, le; a time needs an offset)');
  }
  return { prefix: (instant[1] ?? 'eq') as DatePrefix, kind: 'instant', at };
}

function compare<T>(prefix: DatePrefix, value: T, bound: T): boolean {
  switch (prefix) {
    case 'eq': return value === bound;
    case 'ne': return value !== bound;
    case 'gt': return value > bound;
    case 'ge': return value >= bound;
    case 'lt': return value < bound;
    case 'le': return value <= bound;
  }
}

/** Whether a resource at local date `date` and instant `at` satisfies every predicate. */
export function matchesDates(predicates: readonly DatePredicate[], date: string, at: number): boolean {
  for (const predicate of predicates) {
    const ok = predicate.kind === 'date' ? compare(predicate.prefix, date, predicate.date) : compare(predicate.prefix, at, predicate.at);
    if (!ok) return false;
  }
  return true;
}

/** The local-date range the predicates allow at most (a walk can skip days outside it). */
export function dateWindow(predicates: readonly DatePredicate[]): { from?: string; to?: string } {
  let from: string | undefined;
  let to: string | undefined;
  for (const predicate of predicates) {
    if (predicate.kind !== 'date') continue;
    if (predicate.prefix === 'eq' || predicate.prefix === 'ge' || predicate.prefix === 'gt') from = from === undefined || predicate.date > from ? predicate.date : from;
    if (predicate.prefix === 'eq' || predicate.prefix === 'le' || predicate.prefix === 'lt') to = to === undefined || predicate.date < to ? predicate.date : to;
  }
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

export function tooCostly(matched: number): Problem {
  return new Problem(400, 'too_costly', `the search matches more than ${fhirSearchMatchesMax} resources (${matched} so far): narrow it (a schedule, a start range)`);
}

export interface BundleEntry {
  readonly resource: Record<string, unknown>;
  readonly mode: 'match' | 'include';
}

/** A searchset Bundle of one page; `total` counts the matches (not the included resources). */
export function searchBundle(resourceType: string, search: ParsedSearch, total: number, entries: readonly BundleEntry[]): Record<string, unknown> {
  const self = `${fhirBase}/${resourceType}${search.rawQuery === '' ? '' : `?${search.rawQuery}`}`;
  const link: Array<Record<string, unknown>> = [{ relation: 'self', url: self }];
  if (search.offset + search.count < total && search.count > 0) {
    const next = new URLSearchParams(search.rawQuery);
    next.set('_offset', String(search.offset + search.count));
    next.set('_count', String(search.count));
    link.push({ relation: 'next', url: `${fhirBase}/${resourceType}?${next.toString()}` });
  }
  const bundle: Record<string, unknown> = { resourceType: 'Bundle', type: 'searchset', total, link };
  // FHIR JSON has no empty arrays: an empty page has no `entry` at all.
  if (entries.length > 0) {
    bundle['entry'] = entries.map((entry) => ({
      fullUrl: `${fhirBase}/${String(entry.resource['resourceType'])}/${String(entry.resource['id'])}`,
      resource: entry.resource,
      search: { mode: entry.mode },
    }));
  }
  return bundle;
}

/** The page of a list of matches. */
export function pageOf<T>(matches: readonly T[], search: ParsedSearch): T[] {
  return matches.slice(search.offset, search.offset + search.count);
}
