// Zone offsets and local parts: right in zones with and without daylight saving, interleaved across zones
// (the offset cache is per zone) and still right after the cache has filled and been cleared.
import t from 'tap';
import { addDays, ageOn, dateToUtcMs, instantOf, isIsoDate, localDate, localParts, weekdayOf, zoneOffsetMs } from './local-time.ts';

const hourMs = 3_600_000;

/** The offset straight from Intl, without any cache: what the cached function must agree with. */
function intlOffsetMs(atMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(Math.floor(atMs / 1000) * 1000);
  const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second')) - Math.floor(atMs / 1000) * 1000;
}

t.test('known offsets', async (t) => {
  const winter = Date.UTC(2026, 0, 15, 12);
  const summer = Date.UTC(2026, 6, 15, 12);
  t.equal(zoneOffsetMs(winter, 'Europe/Moscow'), 3 * hourMs);
  t.equal(zoneOffsetMs(summer, 'Europe/Moscow'), 3 * hourMs);
  t.equal(zoneOffsetMs(winter, 'Asia/Novosibirsk'), 7 * hourMs);
  t.equal(zoneOffsetMs(winter, 'Europe/Berlin'), 1 * hourMs);
  t.equal(zoneOffsetMs(summer, 'Europe/Berlin'), 2 * hourMs);
  t.equal(zoneOffsetMs(winter, 'UTC'), 0);
  t.same(localParts(Date.UTC(2026, 10, 22, 21, 30), 'Europe/Moscow'), { date: '2026-11-23', minutes: 30, weekday: 1 }, 'past local midnight is the next day');
  t.equal(instantOf('2026-11-23', 9 * 60, 'Asia/Novosibirsk'), Date.UTC(2026, 10, 23, 2), '09:00 in Novosibirsk is 02:00 UTC');
  t.equal(instantOf('2026-03-29', 12 * 60, 'Europe/Berlin'), Date.UTC(2026, 2, 29, 10), 'noon on the day the clocks go forward');
});

t.test('interleaved zones and a cache that fills and clears agree with Intl', async (t) => {
  const zones = ['Europe/Moscow', 'Europe/Berlin', 'Asia/Novosibirsk', 'America/New_York', 'UTC'];
  const start = Date.UTC(2020, 0, 1);
  let wrong = 0;
  // 60,000 distinct hours in one zone overflow the 50,000-entry cache once; other zones are asked in between.
  for (let hour = 0; hour < 60_000; hour += 1) {
    const at = start + hour * hourMs + 17 * 60_000;
    const zone = hour % 97 === 0 ? (zones[(hour / 97) % zones.length] as string) : 'Europe/Berlin';
    if (hour % 50 === 0 || zone !== 'Europe/Berlin') {
      if (zoneOffsetMs(at, zone) !== intlOffsetMs(at, zone)) wrong += 1;
    } else {
      zoneOffsetMs(at, zone);
    }
  }
  for (const zone of zones) {
    for (let hour = 0; hour < 2_000; hour += 37) {
      const at = start + hour * hourMs;
      if (zoneOffsetMs(at, zone) !== intlOffsetMs(at, zone)) wrong += 1;
    }
  }
  t.equal(wrong, 0, 'no offset differs from Intl');
});

// The date helpers read digits in place and cache date strings per day; each must say what the plain
// Date-based computation says, for every day of a long range and for malformed input.
t.test('date helpers agree with the Date-based computation', async (t) => {
  const dayMs = 86_400_000;
  const reference = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  let wrong = 0;
  for (let day = Math.floor(Date.UTC(1899, 0, 1) / dayMs); day < Math.floor(Date.UTC(2101, 0, 1) / dayMs); day += 1) {
    const date = reference(day * dayMs);
    if (!isIsoDate(date)) wrong += 1;
    if (dateToUtcMs(date) !== day * dayMs) wrong += 1;
    if (addDays(date, 1) !== reference((day + 1) * dayMs) || addDays(date, -40) !== reference((day - 40) * dayMs)) wrong += 1;
    const isoWeekday = new Date(day * dayMs).getUTCDay() || 7;
    if (weekdayOf(date) !== isoWeekday) wrong += 1;
  }
  t.equal(wrong, 0, 'every day from 1899 to 2100');
  for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-01', '2026/01/01', '0999-01-01', '0050-01-01', '', '2026-01-0a', '２０２６-01-01', '2026-01-01 ']) {
    t.notOk(isIsoDate(bad), `${JSON.stringify(bad)} is not a date`);
  }
  t.ok(isIsoDate('2024-02-29') && isIsoDate('2000-02-29') && !isIsoDate('1900-02-29'), 'leap years');
  t.throws(() => dateToUtcMs('2026-1-1'), RangeError);
  t.equal(ageOn('2000-03-01', '2026-02-28'), 25);
  t.equal(ageOn('2000-03-01', '2026-03-01'), 26);
  t.equal(ageOn('2008-02-29', '2026-02-28'), 17, 'a leap-day birthday is not reached on the 28th');
  const instant = Date.UTC(2026, 10, 22, 21, 30);
  t.equal(localDate(instant, 'Europe/Moscow'), '2026-11-23');
  t.same(localParts(Date.UTC(1969, 11, 31, 23, 59), 'UTC'), { date: '1969-12-31', minutes: 1439, weekday: 3 }, 'before the epoch');
  t.same(localParts(Date.UTC(2026, 10, 22, 20, 15), 'Asia/Kolkata'), { date: '2026-11-23', minutes: 105, weekday: 1 }, 'a half-hour zone');
});
