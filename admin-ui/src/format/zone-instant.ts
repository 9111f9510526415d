/**
 * A clinic-local date-time (the `datetime-local` field's `YYYY-MM-DDTHH:mm`) and the instant it names, both ways,
 * in the clinic's time zone rather than the browser's.
 */

/** The instant of a clinic-local `YYYY-MM-DDTHH:mm` (the field's value) in that clinic's time zone. */
export function instantInZone(local: string, timeZone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (match === null) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (ms: number): number => {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(ms));
    const part = (type: string): number => Number(parts.find((item) => item.type === type)?.value ?? 0);
    return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute')) - Math.floor(ms / 60_000) * 60_000;
  };
  // Twice: the offset at the guess may differ from the offset at the answer across a DST change.
  const first = wall - offsetAt(wall);
  return wall - offsetAt(first);
}

/** The field's value for an instant, in the clinic's zone. */
export function localInZone(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(ms));
  const part = (type: string): string => parts.find((item) => item.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}
