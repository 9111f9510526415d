/**
 * How instants and dates are written in the documents: in the clinic's time zone, Russian order
 * (`06.01.2025 09:40`), and ISO 8601 with the offset for machine-readable output (JSON, CSV).
 */
import { formatHhmm, localParts, zoneOffsetMs } from '../../engine/domain/local-time.ts';

/** `2025-01-06` → `06.01.2025`. */
export function ruDate(date: string): string {
  const [year, month, day] = date.split('-');
  return `${day ?? ''}.${month ?? ''}.${year ?? ''}`;
}

export function ruDateTime(atMs: number, timeZone: string): string {
  const parts = localParts(atMs, timeZone);
  return `${ruDate(parts.date)} ${formatHhmm(parts.minutes)}`;
}

export function localTime(atMs: number, timeZone: string): string {
  return formatHhmm(localParts(atMs, timeZone).minutes);
}

/** ISO 8601 with the zone's offset, e.g. `2025-01-06T09:40:00+03:00`. */
export function isoWithOffset(atMs: number, timeZone: string): string {
  const offsetMs = zoneOffsetMs(atMs, timeZone);
  const local = new Date(atMs + offsetMs).toISOString().slice(0, 19);
  const minutes = Math.abs(Math.round(offsetMs / 60_000));
  return `${local}${offsetMs < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
