/**
 * Dates and times as the clinic sees them: every instant is shown in the clinic's own time zone (not the
 * browser's), in the UI's language. Formatters are cached per zone and language.
 */
import { lang } from '../i18n/i18n.ts';
import { serverNow } from './server-clock.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions, name: string): Intl.DateTimeFormat {
  const key = `${lang()}|${timeZone}|${name}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(lang() === 'ru' ? 'ru-RU' : 'en-GB', { ...options, timeZone });
    formatters.set(key, format);
  }
  return format;
}

export function formatDateTime(iso: string | undefined, timeZone: string): string {
  if (iso === undefined) return '';
  return formatter(timeZone, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, 'dt').format(new Date(iso));
}

export function formatTime(iso: string | undefined, timeZone: string): string {
  if (iso === undefined) return '';
  return formatter(timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, 't').format(new Date(iso));
}

/** A local date `YYYY-MM-DD` as the clinic writes it (`22.11.2026`, or `Mon 23.11` with the weekday). */
export function formatDate(date: string, withWeekday = false): string {
  const [year, month, day] = date.split('-').map(Number);
  const utc = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1, 12));
  const options: Intl.DateTimeFormatOptions = withWeekday ? { weekday: 'short', day: '2-digit', month: '2-digit' } : { day: '2-digit', month: '2-digit', year: 'numeric' };
  return formatter('UTC', options, withWeekday ? 'dw' : 'd').format(utc);
}

/** The clinic's local date and hour now. */
export function clinicNow(timeZone: string, nowMs = serverNow()): { readonly date: string; readonly hour: number } {
  const parts = formatter(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }, 'parts').formatToParts(new Date(nowMs));
  const part = (type: string): string => parts.find((item) => item.type === type)?.value ?? '00';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) };
}

export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, (day ?? 1) + days)).toISOString().slice(0, 10);
}

/** Age from a birth date, in whole years, as of a local date. */
export function ageYears(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  let years = (ty ?? 0) - (by ?? 0);
  if ((tm ?? 0) < (bm ?? 0) || ((tm ?? 0) === (bm ?? 0) && (td ?? 0) < (bd ?? 0))) years -= 1;
  return Math.max(0, years);
}
