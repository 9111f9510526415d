/**
 * The desk "as of" a past instant in a real browser (Debian's Chromium) against the real server: a call
 * registered before the instant shows in the read-only replay, one registered after it does not; the mode is
 * marked, the desk's keys do nothing in it, and "back to live" returns to the live desk with both calls.
 */
import { counterIs, rowWith } from './ui-browser-kit.ts';
import { e2e } from './ui-e2e-session.ts';
import { localInZone } from '../../admin-ui/src/format/zone-instant.ts';

const clinicTimeZone = 'Europe/Moscow';

e2e('the desk as of a past instant in Chromium', ['as-of-desk'], (t, session) => {
  t.test('the replayed desk shows what was there then, read-only, with a way back to live', async (t) => {
    const page = await session().open('operator-gp1');
    await page.waitForFunction(counterIs('received', 0));
    t.equal((await session().registerByApi('Прошлова')).status, 201);
    await page.waitForFunction(rowWith('Прошлова'), undefined, { timeout: 5_000 });
    const clock = session().stack.clock;
    const before = clock.now();
    clock.offsetMs += 3 * 60_000;
    t.equal((await session().registerByApi('Будущева')).status, 201);
    await page.waitForFunction(`${rowWith('Будущева')} && ${counterIs('received', 2)}`, undefined, { timeout: 5_000 });

    // A minute after the first call (the field has minute precision), two minutes before the second.
    await page.fill('[data-testid=as-of-field]', localInZone(before + 60_000, clinicTimeZone));
    await page.waitForSelector('[data-testid=as-of-banner]');
    await page.waitForSelector('[data-testid=as-of-calls]');
    const listed = await page.textContent('[data-testid=as-of-calls]');
    t.match(listed, /Прошлова/, 'the call registered before the instant is on the replayed desk');
    t.notMatch(listed, /Будущева/, 'the call registered after it is not');
    t.equal(await page.textContent('[data-testid=as-of-counter-received]'), '1', 'the counters as they were');
    t.equal(await page.$('[data-testid=call-row] button'), null, 'no call can be acted on');
    await page.keyboard.press('Enter');
    t.equal(await page.$('[role=dialog]'), null, 'the desk keys do nothing in the replay');
    await session().artifacts.shot(page, 'as-of-desk');

    await page.click('[data-testid=as-of-live]');
    await page.waitForFunction(`${rowWith('Прошлова')} && ${rowWith('Будущева')}`, undefined, { timeout: 5_000 });
    t.equal(await page.$('[data-testid=as-of-banner]'), null, 'back to live: the banner is gone');
  });
});
