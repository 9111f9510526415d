/**
 * A range bound partners may give either way (API.md "Slots"): a local date `YYYY-MM-DD`, read in the
 * clinic's time zone and inclusive, or an RFC 3339 date-time with `Z` or any offset
 * (`2026-12-03T00:00:00.000Z`, `2026-12-03T09:00:00+03:00`), an instant. FHIR's `start=ge…` sends the latter.
 */
import { Type } from '@sinclair/typebox';
import { isIsoDate, localDate } from '../../engine/domain/local-time.ts';
import { Problem } from '../http/problem.ts';

const datePattern = '\\d{4}-\\d{2}-\\d{2}';
const dateTimePattern = `${datePattern}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})`;

export const DateOrInstant = Type.String({
  pattern: `^${datePattern}$|^${dateTimePattern}$`,
  maxLength: 40,
  description: 'A date YYYY-MM-DD in the clinic time zone (inclusive), or an RFC 3339 date-time with Z or an offset (an instant: from inclusive, to exclusive)',
  examples: ['2026-12-03', '2026-12-03T00:00:00.000Z', '2026-12-03T09:00:00+03:00'],
});

export type DateOrInstantValue = { readonly kind: 'date'; readonly date: string } | { readonly kind: 'instant'; readonly atMs: number; readonly date: string };

const dateTimeRegex = new RegExp(`^(${datePattern})[Tt](\\d{2}):(\\d{2}):(\\d{2})(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$`);

/** The value as a local date or an instant (with its local date in `timeZone`); 400 naming `field` when it is no real date or time. */
export function parseDateOrInstant(value: string, field: string, timeZone: string): DateOrInstantValue {
  const invalid = (): Problem => new Problem(400, 'validation_failed', `${field} must be a real date YYYY-MM-DD or an RFC 3339 date-time with an offset`, { errors: [{ path: `/${field}`, message: 'invalid' }] });
  if (isIsoDate(value)) return { kind: 'date', date: value };
  const match = dateTimeRegex.exec(value);
  if (match === null || !isIsoDate(match[1] as string)) throw invalid();
  const [hours, minutes, seconds] = [Number(match[2]), Number(match[3]), Number(match[4])];
  const offset = (match[6] as string).toUpperCase();
  if (hours > 23 || minutes > 59 || seconds > 59 || (offset !== 'Z' && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59))) throw invalid();
  // Milliseconds only: finer digits do not change which slot starts in the range.
  const millis = (match[5] ?? '.0').slice(1, 4).padEnd(3, '0');
  const atMs = Date.parse(`${match[1] as string}T${match[2] as string}:${match[3] as string}:${match[4] as string}.${millis}${offset}`);
  if (!Number.isFinite(atMs)) throw invalid();
  return { kind: 'instant', atMs, date: localDate(atMs, timeZone) };
}
