/**
 * The operator desk in a real browser (Debian's Chromium) against the real server: a call registered in one
 * operator's browser appears in another operator's desk of the same clinic within a second of the save's
 * reply (counter and list), never in another clinic's; then assign, the doctor's route sheet and "call
 * done", transfer, an overdue call sorted first, a dropped socket that reconnects and resynchronises, and a
 * list of over a thousand calls that stays virtualised. Screenshots of each screen go to the artifacts dir.
 */
import type { Page } from 'playwright-core';
import { counterIs, rowWith } from './ui-browser-kit.ts';
import { e2e, secondOperator } from './ui-e2e-session.ts';

const realtimeBoundMs = 1_000;
const bulkCalls = 1_100;
const bulkConcurrency = 50;
const kinds = ['primary', 'repeat', 'active_visit', 'urgent'] as const;

e2e('the operator desk in Chromium', ['desk', 'call-form', 'assign-dialog'], (t, session) => {
  t.test('a call saved in one operator browser shows in another operator desk of the clinic within a second, not in another clinic', async (t) => {
    const a = await session().open('operator-gp1', { shootSignIn: true });
    const b = await session().open(secondOperator.login);
    const c = await session().open('operator-gp2');
    for (const page of [a, b, c]) await page.waitForFunction(counterIs('new', 0));
    await a.keyboard.press('Alt+KeyN');
    await a.waitForSelector('[data-testid=call-form]');
    const fields: ReadonlyArray<readonly [string, string]> = [
      ['policy', '7700 0000 0000 0017'], ['surname', 'Тестова'], ['name', 'Анна'], ['patronymic', 'Ивановна'], ['birthDate', '1971-02-03'],
      ['phone', '+7 912 001-00-11'], ['address', 'г. Ярославль, ул. Свободы'], ['house', '12'], ['apartment', '7'], ['floor', '3'], ['intercom', '7К'],
      ['complaints', 'температура 38,5, боль в груди при кашле'],
    ];
    for (const [name, value] of fields) await a.fill(`[data-testid=field-${name}]`, value);
    await a.click('[data-testid=choice-sex] label:has-text("Ж")');
    await a.click('[data-tag=temperature]');
    await a.click('[data-tag=cough]');
    await a.waitForSelector('[data-testid=red-flags]');
    await session().artifacts.shot(a, 'call-form');
    const seenInB = b.waitForFunction(`${counterIs('new', 1)} && ${rowWith('Тестова')}`, undefined, { polling: 20, timeout: 10_000 }).then(() => Date.now());
    await a.click('[data-testid=save]');
    await a.waitForSelector('[data-testid=toast-ok]:has-text("сохранён")');
    const savedAt = Date.now();
    const lagMs = (await seenInB) - savedAt;
    t.ok(lagMs < realtimeBoundMs, `the second operator saw the new call ${lagMs} ms after the first one's save resolved (bound ${realtimeBoundMs} ms)`);
    await c.waitForTimeout(1_000);
    t.ok(await c.evaluate(`${counterIs('new', 0)} && !${rowWith('Тестова')}`), 'the operator of another clinic sees neither the counter nor the call');
    t.equal(await a.inputValue('[data-testid=field-surname]'), '', 'the saved form is cleared (and its draft dropped)');
  });

  t.test('assign from the desk by keyboard; the doctor closes the call on the route sheet', async (t) => {
    const [a, b] = session().pages as [Page, Page];
    await a.keyboard.press('Alt+KeyD');
    await b.click('[data-testid=call-row]:has-text("Тестова") .c-patient');
    await b.keyboard.press('Enter');
    await b.waitForSelector('[data-testid=assign-gp1-d1]');
    await session().artifacts.shot(b, 'assign-dialog');
    await b.click('[data-testid=assign-gp1-d1]');
    await a.waitForFunction(counterIs('assigned', 1), undefined, { timeout: 5_000 });
    t.pass('the other operator sees the call become active');
    const doctor = await session().open('doctor-gp1-d1');
    await doctor.waitForSelector('[data-testid=route-visit]');
    t.match(await doctor.textContent('[data-testid=route-visit]'), /Тестова/, 'the visit is on the doctor route sheet');
    await doctor.click('[data-testid=print-pdf]');
    await doctor.waitForTimeout(300);
    await session().artifacts.shot(doctor, 'route-sheet');
    await doctor.click('[data-testid=call-done]');
    await doctor.fill('[data-testid=field-diagnosis]', 'ОРВИ (J06.9)');
    await doctor.click('[data-testid=complete-submit]');
    await b.waitForFunction(counterIs('completed', 1), undefined, { timeout: 5_000 });
    t.pass('the served counter moves on the operator desk');
  });

  t.test('transfer to another clinic; an overdue call is marked and sorted first', async (t) => {
    const [, b, c] = session().pages as [Page, Page, Page];
    t.equal((await session().registerByApi('Переводова')).status, 201);
    await b.waitForFunction(rowWith('Переводова'));
    await b.click('[data-testid=call-row]:has-text("Переводова") .c-patient');
    await b.keyboard.press('KeyT');
    await b.fill('[data-testid=transfer-search]', 'Заволж');
    await b.click('[data-testid=transfer-gp3]');
    await session().artifacts.shot(b, 'transfer-dialog');
    await b.click('[data-testid=transfer-submit]');
    await b.waitForFunction(`!${rowWith('Переводова')}`, undefined, { timeout: 5_000 });
    t.pass('the transferred call leaves the desk');
    t.notOk(await c.evaluate(rowWith('Переводова')), 'it does not land in gp2 either');
    t.equal((await session().registerByApi('Просроченная', { source: 'smp', kind: 'active_visit' })).status, 201, 'an ambulance call is registered');
    // The engine's time only moves forward: jump past the 30-minute assignment limit, then add fresher calls.
    session().stack.clock.offsetMs += 31 * 60_000;
    await session().stack.host.advanceTime();
    for (const [surname, kind] of [['Новикова', 'repeat'], ['Котов', 'urgent'], ['Орлова', 'primary']] as const) {
      t.equal((await session().registerByApi(surname, { kind, source: 'registry' })).status, 201, `${surname} registered`);
    }
    await b.waitForFunction(counterIs('overdue', 1), undefined, { timeout: 5_000 });
    t.match(await b.textContent('[data-testid=call-row]'), /Просроченная/, 'the overdue call is first in the list');
    t.equal(await b.getAttribute('[data-testid=call-row]', 'class'), 'call-row overdue', 'and marked overdue');
    await session().artifacts.shot(b, 'desk');
  });

  t.test('a dropped socket reconnects with back-off and resynchronises from a snapshot', async (t) => {
    const b = session().pages[1] as Page;
    await b.evaluate('window.cdLive.drop()');
    await b.waitForSelector('[data-testid=connection]:not([data-status=online])', { timeout: 5_000 });
    t.equal((await session().registerByApi('Пропущенная')).status, 201, 'a call is registered while the socket is down');
    await b.waitForSelector('[data-testid=connection][data-status=online]', { timeout: 20_000 });
    await b.waitForFunction(rowWith('Пропущенная'), undefined, { timeout: 5_000 });
    t.pass('after the reconnect the missed call is there');
  });

  t.test('over a thousand open calls: the snapshot is paged in and the list renders only what is in view', async (t) => {
    for (let start = 0; start < bulkCalls; start += bulkConcurrency) {
      const batch = Array.from({ length: Math.min(bulkConcurrency, bulkCalls - start) }, (_, index) => {
        const n = start + index;
        return session().registerByApi(`Пациентова-${n}`, { kind: kinds[n % kinds.length], source: n % 3 === 0 ? 'registry' : 'portal' });
      });
      for (const response of await Promise.all(batch)) if (response.status !== 201) t.fail(`bulk register: ${response.status} ${response.text}`);
    }
    const fresh = await session().open('operator-gp1');
    await fresh.waitForFunction(`Number(document.querySelector('[data-testid=call-list]')?.dataset.count) >= ${bulkCalls}`, undefined, { timeout: 20_000 });
    const rendered = await fresh.locator('[data-testid=call-row]').count();
    t.ok(rendered < 80, `${rendered} rows in the DOM for over ${bulkCalls} calls`);
    await fresh.fill('[data-testid=filter-name]', 'Пациентова-1099');
    await fresh.waitForFunction(`document.querySelector('[data-testid=call-list]')?.dataset.count === '1'`);
    t.pass('the name filter finds one call among them');
  });
});
