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
  const wallMs = atMs + zoneOffsetMs(atMs, timeZone);
  const day = Math.floor(wallMs / dayMs);
  return { date: dateOfDay(day), minutes: Math.floor((wallMs - day * dayMs) / 60_000), weekday: weekdayOfDay(day) };
}

/** The local date alone: the same as `localParts(…).date`, without building the parts. */
export function localDate(atMs: number, timeZone: string): string {
  return dateOfDay(Math.floor((atMs + zoneOffsetMs(atMs, timeZone)) / dayMs));
}

/** The instant of local wall time `date` + `minutes` in the zone (DST-safe for zones without gaps there). */
export function instantOf(date: string, minutes: number, timeZone: string): number {
  const wallAsUtc = dateToUtcMs(date) + minutes * 60_000;
  const guess = wallAsUtc - zoneOffsetMs(wallAsUtc, timeZone);
  return wallAsUtc - zoneOffsetMs(guess, timeZone);
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `YYYY-MM-DD` strings by day number (days since 1970-01-01): every command dates itself (today, a visit
 * date, an eviction day), and building the string each time was a measurable share of a command. Day
 * numbers a region asks for are a few thousand; past `dateStringsCachedMax` the cache starts over.
 */
const dateStringsCachedMax = 100_000;
const dateStrings = new Map<number, string>();

function dateOfDay(day: number): string {
  let date = dateStrings.get(day);
  if (date === undefined) {
    if (dateStrings.size >= dateStringsCachedMax) dateStrings.clear();
    date = isoDate(new Date(day * dayMs));
    dateStrings.set(day, date);
  }
  return date;
}

/** ISO weekday of a day number: 1970-01-01 was a Thursday (4). */
function weekdayOfDay(day: number): number {
  return (((day + 3) % 7) + 7) % 7 + 1;
}

/** The value of the decimal digits of `text` from `start` to `end` (exclusive), or -1 when one is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i += 1) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** True when `value` has the shape `DDDD-DD-DD` (digits and two dashes), read without a regex match. */
function hasDateShape(value: string): boolean {
  return value.length === 10 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45;
}

/**
 * True for a real calendar date written `YYYY-MM-DD`. Years below 1000 are refused as before (the string
 * the old check built back from `Date.UTC` differed from them: two-digit years mean 19xx there).
 */
export function isIsoDate(value: string): boolean {
  if (typeof value !== 'string' || !hasDateShape(value)) return false;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 7);
  const day = digitsAt(value, 8, 10);
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function dateToUtcMs(date: string): number {
  if (hasDateShape(date)) {
    const year = digitsAt(date, 0, 4);
    const month = digitsAt(date, 5, 7);
    const day = digitsAt(date, 8, 10);
    if (year >= 0 && month >= 0 && day >= 0) return Date.UTC(year, month - 1, day);
  }
  const match = datePattern.exec(date);
  if (match === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

export function addDays(date: string, days: number): string {
  return dateOfDay(Math.floor(dateToUtcMs(date) / dayMs) + days);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((dateToUtcMs(to) - dateToUtcMs(from)) / dayMs);
}

export function weekdayOf(date: string): number {
  return weekdayOfDay(Math.floor(dateToUtcMs(date) / dayMs));
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
  if (hasDateShape(birthDate) && hasDateShape(date)) {
    // Read in place: this runs twice for every call registered.
    const by = digitsAt(birthDate, 0, 4);
    const bm = digitsAt(birthDate, 5, 7);
    const bd = digitsAt(birthDate, 8, 10);
    const y = digitsAt(date, 0, 4);
    const m = digitsAt(date, 5, 7);
    const d = digitsAt(date, 8, 10);
    if (by >= 0 && bm >= 0 && bd >= 0 && y >= 0 && m >= 0 && d >= 0) {
      let age = y - by;
      if (m < bm || (m === bm && d < bd)) age -= 1;
      return age;
    }
  }
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}
