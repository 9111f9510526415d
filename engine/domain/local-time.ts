/**
 * Local calendar arithmetic in a clinic's time zone, without reading the clock. Offsets come from the
 * platform's time-zone database (Intl) and are cached per zone and hour, so a lookup on the command path is
 * a map read. Dates are `YYYY-MM-DD` strings; minutes are minutes since local midnight.
 */
import { ZoneKeyedCache } from './zone-keyed-cache.ts';

const hourMs = 3_600_000;
const dayMs = 86_400_000;
/** Bound on cached (zone, hour) offsets before the cache is cleared; a zone needs one entry per hour. */
const offsetCacheEntriesMax = 50_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets by zone and hour number: this runs for every instant formatted or placed in a day. */
const offsetCache = new ZoneKeyedCache<number>(offsetCacheEntriesMax);

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of local wall time from UTC, in ms, at the instant `atMs`. */
export function zoneOffsetMs(atMs: number, timeZone: string): number {
  const hour = Math.floor(atMs / hourMs);
  const cached = offsetCache.get(timeZone, hour);
  if (cached !== undefined) return cached;
  const hourStart = hour * hourMs;
  const parts = formatterFor(timeZone).formatToParts(hourStart);
  const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const offset = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second')) - hourStart;
  offsetCache.set(timeZone, hour, offset);
  return offset;
}

export interface LocalParts {
  readonly date: string;
  /** Minutes since local midnight. */
  readonly minutes: number;
  /** ISO weekday: Monday 1 … Sunday 7. */
  readonly weekday: number;
}

export function localParts(atMs: number, timeZone: string): LocalParts {
  const wall = new Date(atMs + zoneOffsetMs(atMs, timeZone));
  const utcDay = wall.getUTCDay();
  return {
    date: isoDate(wall),
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    weekday: utcDay === 0 ? 7 : utcDay,
  };
}

export function localDate(atMs: number, timeZone: string): string {
  return localParts(atMs, timeZone).date;
}

/** The instant of local wall time `date` + `minutes` in the zone (DST-safe for zones without gaps there). */
export function instantOf(date: string, minutes: number, timeZone: string): number {
  const wallAsUtc = dateToUtcMs(date) + minutes * 60_000;
  const guess = wallAsUtc - zoneOffsetMs(wallAsUtc, timeZone);
  return wallAsUtc - zoneOffsetMs(guess, timeZone);
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const match = datePattern.exec(value);
  if (match === null) return false;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return isoDate(new Date(ms)) === value;
}

export function dateToUtcMs(date: string): number {
  const match = datePattern.exec(date);
  if (match === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

export function addDays(date: string, days: number): string {
  return isoDate(new Date(dateToUtcMs(date) + days * dayMs));
}

export function daysBetween(from: string, to: string): number {
  return Math.round((dateToUtcMs(to) - dateToUtcMs(from)) / dayMs);
}

export function weekdayOf(date: string): number {
  const day = new Date(dateToUtcMs(date)).getUTCDay();
  return day === 0 ? 7 : day;
}

function isoDate(wall: Date): string {
  const y = wall.getUTCFullYear();
  const m = wall.getUTCMonth() + 1;
  const d = wall.getUTCDate();
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

const hhmmPattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM` → minutes since midnight, or undefined when malformed. `24:00` is accepted as the end of a day. */
export function parseHhmm(value: string): number | undefined {
  if (value === '24:00') return 1440;
  const match = hhmmPattern.exec(value);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}

export function formatHhmm(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

/** Whole years of age on `date` for someone born on `birthDate`. */
export function ageOn(birthDate: string, date: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}
