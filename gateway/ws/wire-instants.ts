/**
 * Instants on the wire: every field named `at` or ending in `At` that holds epoch milliseconds becomes ISO
 * 8601 with the clinic's offset, as the partner API writes calls (gateway/views.ts). One rule for calendar
 * objects (appointments, holds, alerts, queue entries) instead of one hand-written view per shape, so a field
 * the calendar adds later is formatted too.
 *
 * Bound: engine objects are shallow; the walk stops at `instantDepthMax` levels and leaves deeper parts as is.
 */
import { isoAt } from '../views.ts';

export const instantDepthMax = 8;

export function withIsoInstants(value: unknown, timeZone: string, depth = 0): unknown {
  if (depth > instantDepthMax || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withIsoInstants(item, timeZone, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (typeof field === 'number' && Number.isFinite(field) && (key === 'at' || key.endsWith('At'))) result[key] = isoAt(field, timeZone);
    else result[key] = withIsoInstants(field, timeZone, depth + 1);
  }
  return result;
}
