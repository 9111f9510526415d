/**
 * The operator desk at dispatch density, in Debian's Chromium against the real server (issue 18): what a
 * dispatcher sees at a glance (the address to the flat, waiting time and SLA countdown, age, phone, visit
 * date, red-flag reasons in words and those calls first, district names, where a transferred call came from),
 * what they do without the mouse (rows take focus, Esc from the search, complaint tags as one Tab stop, the
 * first field focused, calendar slots by arrows), the flow fixes (search cleared after save, toasts never over
 * a button, a confirmed appointment cancel, the check-in window in words, the cabinet number, one numbering),
 * a closed tab's hold freed at once, the SRE page's error counts, and an axe-core pass on every screen.
 * Screenshots at 1440 × 900 and 1920 × 1080 go to the artifacts dir (UI_SCREENSHOTS_DIR refreshes docs/).
 */
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import { call } from '../test-server.ts';
import { axeViolations, seriousOf } from './axe-check.ts';
import { rowWith, viewport } from './ui-browser-kit.ts';
import { e2e, secondOperator, type UiSession } from './ui-e2e-session.ts';

const wide = { width: 1920, height: 1080 } as const;
const shots = ['desk', 'assign-dialog', 'call-form', 'calendar', 'queue', 'sre', 'cancel-dialog', 'forbidden-sre'].flatMap((name) => [`${name}-1440`, `${name}-1920`]);

/** Both committed sizes of one screen: 1920 × 1080 first, then back to the tests' 1440 × 900. */
async function shootBoth(session: UiSession, page: Page, name: string): Promise<void> {
  await page.setViewportSize(wide);
  await page.waitForTimeout(200);
  await session.artifacts.shot(page, `${name}-1920`);
  await page.setViewportSize(viewport);
  await page.waitForTimeout(200);
  await session.artifacts.shot(page, `${name}-1440`);
}

/** axe-core on the page as it is: no serious or critical violation (the others are printed). */
async function accessible(t: Test, page: Page, screen: string): Promise<void> {
  const violations = await axeViolations(page);
  const minor = violations.filter((violation) => !seriousOf([violation]).length);
  if (minor.length > 0) t.comment(`${screen}: minor/moderate axe findings: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  t.same(seriousOf(violations).map((v) => `${v.id}: ${v.help} at ${v.targets.join(' | ')}`), [], `axe: no serious or critical violation on ${screen}`);
}

const rowOf = (surname: string): string => `[data-testid=call-row]:has-text("${surname}")`;

e2e('the operator desk at dispatch density, its keyboard flow and the SRE page in Chromium', shots, (t, session) => {
  t.test('one row per call shows what the dispatcher acts on; red flags first in words; SLA counts down; districts by name', async (t) => {
    const s = session();
    t.equal((await s.registerByApi('Ожидающая', { source: 'smp', kind: 'active_visit', address: { text: 'г. Ярославль, ул. Кирова', house: '7', apartment: '3', entrance: '2', floor: 4, intercom: '3К' } })).status, 201);
    // 24 of the 30 minutes pass: the first call is now nearly overdue.
    s.stack.clock.offsetMs += 24 * 60_000;
    await s.stack.host.advanceTime();
    t.equal((await s.registerByApi('Спокойная', { source: 'smp' })).status, 201);
    t.equal((await s.registerByApi('Острова', { source: 'smp', complaints: { text: 'давит за грудиной, одышка', tags: ['chest_pain', 'shortness_of_breath'] } })).status, 201, 'a younger red-flag call');
    t.equal((await s.registerByApi('Малышева', { patient: { surname: 'Малышева', name: 'Анна', birthDate: '2019-05-02', sex: 'F', phone: '+79160000011' } })).status, 201, 'a child');
    const moved = await call(s.stack.base, 'POST', '/api/v1/calls', {
      token: s.stack.tokens.partner,
      body: { source: 'portal', kind: 'primary', clinicId: 'gp3', patient: { surname: 'Переведённая', name: 'Ольга', birthDate: '1950-01-01', sex: 'F', phone: '+79160000022' }, address: { text: 'г. Ярославль, ул. Свободы', house: '3' }, complaints: { text: 'давление 160', tags: ['blood_pressure'] } },
    });
    const movedId = (moved.body as { id: string }).id;
    t.equal((await call(s.stack.base, 'POST', `/api/v1/calls/${movedId}/transfer`, { token: s.stack.tokens.partner, body: { clinicId: 'gp1', reason: 'адрес ГП-1' } })).status, 200, 'a call transferred in from gp3');

    const page = await s.open('operator-gp1');
    await page.waitForFunction(rowWith('Переведённая'));
    const address = (await page.textContent(`${rowOf('Ожидающая')} [data-testid=address]`)) ?? '';
    t.match(address, /ул\. Кирова, д\. 7, кв\. 3, п-д 2, эт\. 4/, 'the address down to the flat, entrance and floor');
    t.notMatch(address, /^г\. Ярославль/, 'without the town every call shares');
    t.match(await page.textContent(rowOf('Ожидающая')), /\+79160000000/, 'the phone');
    t.match(await page.textContent(rowOf('Малышева')), /7 лет/, 'the age');
    t.equal(await page.locator(`${rowOf('Малышева')} .age-child`).count(), 1, 'coloured as a child');
    await page.waitForSelector(`${rowOf('Ожидающая')}[data-urgency=due-soon]`, { timeout: 5_000 });
    t.pass('nearly overdue is marked before it turns red');
    const reasons = (await page.textContent(`${rowOf('Острова')} [data-testid=red-flag-reasons]`)) ?? '';
    t.match(reasons, /боли в груди, одышка/, 'red-flag reasons in words');
    t.notMatch(reasons, /chest_pain|shortness_of_breath|text:/, 'never as keys');
    t.match(await page.getAttribute(rowOf('Острова'), 'class'), /red-flag/, 'the row is highlighted');
    const order = await page.$$eval('[data-testid=call-row]', (rows) => rows.map((row) => row.querySelector('.c-patient strong')?.textContent?.split(' ')[0] ?? ''));
    t.ok(order.indexOf('Острова') < order.indexOf('Спокойная') && order.indexOf('Острова') < order.indexOf('Ожидающая'), `the red-flag call is first among those awaiting processing (${order.join(', ')})`);
    const origin = (await page.textContent(`${rowOf('Переведённая')} [data-testid=transferred-from]`)) ?? '';
    t.match(origin, /из: Поликлиника Заволжского района, \d\d\.\d\d\.\d{4}, \d\d:\d\d/, 'a transferred call says where from and its original time');
    const before = await page.textContent(`${rowOf('Ожидающая')} [data-testid=sla]`);
    await page.waitForFunction(`document.querySelector('[data-testid=call-row][data-urgency=due-soon] [data-testid=sla]')?.textContent !== ${JSON.stringify(before)}`, undefined, { timeout: 5_000 });
    t.pass(`the SLA countdown moves (${before})`);
    const overflow = await page.evaluate(`(() => { const main = document.querySelector('.desk-main'); return main.scrollWidth - main.clientWidth; })()`);
    t.equal(overflow, 0, 'the columns fit 1440 px without a horizontal scroll');
    await shootBoth(s, page, 'desk');
    await accessible(t, page, 'the desk');

    await page.click(`${rowOf('Спокойная')} .c-patient`);
    await page.keyboard.press('KeyA');
    await page.waitForFunction(`[...document.querySelectorAll('[data-testid=call-row]')].some((row) => row.textContent.includes('Спокойная') && row.textContent.includes('Новый'))`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=district-gp1-d1]');
    const district = (await page.textContent('[data-testid=district-gp1-d1]')) ?? '';
    t.match(district, /Терапевтический участок \d/, 'the assign dialog names the district');
    t.notMatch(district, /gp1-a\d/, 'not its id');
    await shootBoth(s, page, 'assign-dialog');
    await accessible(t, page, 'the assign dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=assign-dialog]', { state: 'detached' });
  });

  t.test('the keyboard: / to the search, Esc back to the list, rows take focus, Delete asks to cancel naming the patient', async (t) => {
    const page = session().pages[0] as Page;
    await page.keyboard.press('/');
    t.equal(await page.evaluate('document.activeElement?.dataset.testid'), 'filter-name', '/ focuses the search');
    await page.keyboard.press('Escape');
    await page.waitForFunction(`document.activeElement?.dataset.testid === 'call-row'`, undefined, { timeout: 5_000 });
    t.pass('Esc hands the focus to the list');
    const first = await page.evaluate('document.activeElement?.dataset.call');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(`document.activeElement?.dataset.testid === 'call-row' && document.activeElement?.dataset.call !== ${JSON.stringify(first)}`);
    t.pass('↓ moves the focus to the next row');
    await page.keyboard.press('Delete');
    await page.waitForSelector('[data-testid=cancel-dialog]');
    const focusedName = await page.$$eval('[data-testid=call-row][aria-selected=true] .c-patient strong', (cells) => cells[0]?.textContent ?? '');
    t.match(await page.textContent('[data-testid=cancel-dialog] h2'), new RegExp(focusedName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the cancel dialog names the patient');
    await shootBoth(session(), page, 'cancel-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=cancel-dialog]', { state: 'detached' });
    t.equal(await page.evaluate('document.activeElement?.dataset.testid'), 'call-row', 'and the focus is back on the row');
  });

  t.test('transfer: the toast in the accusative, and it never covers a button', async (t) => {
    const page = session().pages[0] as Page;
    await page.click(`${rowOf('Малышева')} .c-patient`);
    await page.keyboard.press('KeyT');
    await page.fill('[data-testid=transfer-search]', 'Заволж');
    await page.click('[data-testid=transfer-gp3]');
    await page.click('[data-testid=transfer-submit]');
    const toast = page.locator('[data-testid=toast-ok]', { hasText: 'передан' });
    await toast.waitFor();
    t.match(await toast.textContent(), /передан в Поликлинику Заволжского района/, '«передан в Поликлинику …», not «в Поликлиника»');
    const covered = await page.evaluate(`(() => {
      const boxes = [...document.querySelectorAll('[data-testid=toast-ok], [data-testid=toast-error]')].map((toast) => toast.getBoundingClientRect());
      return [...document.querySelectorAll('button, a[href], input, select')].filter((control) => {
        const box = control.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) return false;
        return boxes.some((t) => box.left < t.right && box.right > t.left && box.top < t.bottom && box.bottom > t.top);
      }).map((control) => control.outerHTML.slice(0, 80));
    })()`);
    t.same(covered, [], 'no control lies under a toast');
  });

  t.test('the new-call form: first field focused however opened; tags are one Tab stop; the bar covers nothing; save and Clear clear the search', async (t) => {
    const page = session().pages[0] as Page;
    await page.keyboard.press('Alt+KeyN');
    await page.waitForSelector('[data-testid=call-form]');
    await page.waitForFunction(`document.activeElement?.dataset.testid === 'field-policy'`);
    t.pass('Alt+N: the policy field has the focus');
    await page.click('[data-testid=field-surname]');
    await page.click('nav a[href="/calls/new"]');
    await page.waitForFunction(`document.activeElement?.dataset.testid === 'field-policy'`);
    t.pass('the menu while the form is open: the focus goes back to the first field');

    await page.focus('[data-testid=field-complaints]');
    let presses = 0;
    while (presses < 60 && (await page.evaluate('document.activeElement?.dataset.testid')) !== 'save') {
      await page.keyboard.press('Tab');
      presses += 1;
    }
    t.ok(presses <= 12, `${presses} Tab presses from the complaints to Save (42 before the tags became one stop)`);
    await page.focus('[data-testid=field-complaints]');
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate('document.activeElement?.dataset.tag'), 'temperature', 'Tab enters the tags at one of them');
    await page.keyboard.press('ArrowRight');
    t.equal(await page.evaluate('document.activeElement?.dataset.tag'), 'cough', '→ moves to the next tag');
    await page.keyboard.press('Space');
    t.equal(await page.getAttribute('[data-tag=cough]', 'aria-pressed'), 'true', 'Space picks it');

    // Every field, focused by the keyboard, is above the sticky action bar.
    const hidden = await page.evaluate(`(async () => {
      const bar = document.querySelector('.actions.sticky');
      const fields = [...document.querySelectorAll('[data-testid=call-form] input:not([type=radio]), [data-testid=call-form] textarea')];
      const under = [];
      for (const field of fields) {
        field.focus();
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const box = field.getBoundingClientRect();
        if (box.bottom > bar.getBoundingClientRect().top + 1) under.push(field.dataset.testid || field.name);
      }
      return under;
    })()`);
    t.same(hidden, [], 'no focused field is under the sticky bar');

    await page.fill('[data-testid=field-phone]', '+79160000000');
    await page.click('[data-testid=search-phone]');
    await page.waitForSelector('[data-testid=open-call-warning]');
    await page.evaluate(`document.querySelector('.main').scrollTo(0, 0)`);
    await shootBoth(session(), page, 'call-form');
    await accessible(t, page, 'the new-call form');
    await page.click('[data-testid=clear]');
    await page.waitForSelector('[data-testid=open-call-warning]', { state: 'detached' });
    t.equal(await page.locator('[data-testid=patient-search] table').count(), 0, '«Очистить» clears the search results and the warning');
    await page.waitForFunction(`document.activeElement?.dataset.testid === 'field-policy'`);
    t.pass('and focuses the first field');

    const fields: ReadonlyArray<readonly [string, string]> = [['phone', '+79160000099'], ['surname', 'Сохранённая'], ['name', 'Вера'], ['birthDate', '1960-06-06'], ['address', 'г. Ярославль, ул. Свободы'], ['house', '5'], ['complaints', 'слабость']];
    for (const [name, value] of fields) await page.fill(`[data-testid=field-${name}]`, value);
    await page.click('[data-testid=choice-sex] label:has-text("Ж")');
    await page.click('[data-testid=search-phone]');
    await page.waitForSelector('[data-testid=patient-search] table');
    await page.click('[data-testid=save]');
    await page.waitForSelector('[data-testid=toast-ok]:has-text("сохранён")');
    await page.waitForSelector('[data-testid=patient-search] table', { state: 'detached' });
    t.pass('after a save the search of that patient is gone too');
    await page.waitForFunction(`document.activeElement?.dataset.testid === 'field-policy'`);
    t.pass('and the first field is ready for the next call');
  });

  t.test('calendar: slots move with the arrows; cancelling an appointment asks first; check-in opens 60 minutes before, said in words', async (t) => {
    const page = session().pages[0] as Page;
    await page.goto(`${session().stack.base}/calendar?doctor=gp1-d3`);
    await page.waitForSelector('[data-slot$=".1100"][data-status=free]');
    await page.focus('[data-slot$=".1100"]');
    await page.keyboard.press('ArrowRight');
    t.match(await page.evaluate('document.activeElement?.dataset.slot'), /\.1115$/, '→ the next slot');
    await page.keyboard.press('ArrowDown');
    const below = String(await page.evaluate('document.activeElement?.dataset.slot'));
    t.ok(/\.\d{4}$/.test(below) && !below.endsWith('.1115'), `↓ a slot in the row below (${below})`);
    await page.keyboard.press('ArrowLeft');
    t.not(await page.evaluate('document.activeElement?.dataset.slot'), below, '← back along the row');

    const book = async (hhmm: string, surname: string): Promise<void> => {
      await page.click(`[data-slot$=".${hhmm}"][data-status=free]`);
      await page.waitForSelector('[data-testid=booking-panel]');
      for (const [name, value] of [['bookPhone', `+7999000${hhmm}`], ['bookSurname', surname], ['bookName', 'Анна'], ['bookBirthDate', '1990-01-01']] as const) await page.fill(`[data-testid=field-${name}]`, value);
      await page.click('[data-testid=choice-bookSex] label:has-text("Ж")');
      await page.click('[data-testid=book]');
      await page.waitForSelector(`[data-slot$=".${hhmm}"][data-status=booked]`);
    };
    await book('1100', 'Ранняя');
    await book('1230', 'Поздняя');
    await book('1200', 'Отменяемая');
    await shootBoth(session(), page, 'calendar');
    await accessible(t, page, 'the calendar');
    await page.click('[data-slot$=".1200"]');
    await page.click('[data-testid=cancel-appointment]');
    await page.waitForSelector('[data-testid=cancel-appointment-dialog]');
    t.match(await page.textContent('[data-testid=cancel-appointment-dialog]'), /Отменяемая/, 'the confirmation names the patient');
    await page.click('[data-testid=keep-appointment]');
    t.equal(await page.getAttribute('[data-slot$=".1200"]', 'data-status'), 'booked', '«Не отменять» keeps it');
    await page.click('[data-testid=cancel-appointment]');
    await page.click('[data-testid=confirm-cancel-appointment]');
    await page.waitForSelector('[data-slot$=".1200"][data-status=free]');
    t.pass('confirmed, the time is free again');

    await page.goto(`${session().stack.base}/queue?doctor=gp1-d3`);
    await page.waitForSelector('[data-testid=cabinet]');
    t.match(await page.textContent('[data-testid=cabinet-number]'), /Кабинет 103/, 'the free cabinet card names its cabinet');
    const late = page.locator('tr:has-text("Поздняя") [data-testid=check-in]');
    t.equal(await late.getAttribute('data-window'), 'later', 'the 12:30 appointment cannot check in at 10:30');
    t.match(await page.textContent('tr:has-text("Поздняя")'), /с 11:30/, 'the row says from when');
    await late.click();
    const refused = page.locator('[data-testid=toast-error]', { hasText: 'Отметить приход' });
    await refused.waitFor();
    t.match(await refused.textContent(), /за 60 мин до приёма: с 11:30 \(приём в 12:30\)/, 'the refusal is said in words with the time it opens');
    await page.click('tr:has-text("Ранняя") [data-testid=check-in]');
    await page.waitForSelector('[data-testid=waiting] li');
    t.match(await page.textContent('[data-testid=waiting] li'), /^№ 1 /, 'the waiting list shows one number');
    t.equal(await page.$eval('[data-testid=waiting]', (list) => getComputedStyle(list).listStyleType), 'none', 'not «1. № 1»');
    await shootBoth(session(), page, 'queue');
    await accessible(t, page, 'the queue');
    await page.click('[data-testid=open-monitor]');
    await page.waitForSelector('[data-testid=monitor]');
    await accessible(t, page, 'the cabinet monitor');
  });

  t.test('a hold of a closed browser tab is freed at once for the other operator', async (t) => {
    const s = session();
    const watcher = await s.open(secondOperator.login);
    await watcher.goto(`${s.stack.base}/calendar?doctor=gp1-d1`);
    await watcher.waitForSelector('[data-slot$=".1130"][data-status=free]');
    const tab = await s.open('operator-gp1');
    await tab.goto(`${s.stack.base}/calendar?doctor=gp1-d1`);
    await tab.click('[data-slot$=".1130"][data-status=free]');
    await tab.waitForSelector('[data-slot$=".1130"][data-status=mine]');
    await watcher.waitForSelector('[data-slot$=".1130"][data-status=held]');
    // A dropped link ends that socket's holds too; the calendar holds the slot being booked again on reconnect.
    await tab.evaluate('window.cdLive.drop()');
    await tab.waitForSelector('[data-testid=connection][data-status=online]', { timeout: 20_000 });
    await tab.waitForSelector('[data-slot$=".1130"][data-status=mine]', { timeout: 10_000 });
    // The old socket's release and the new one's hold both pass through the server; give them a moment, then check.
    await tab.waitForTimeout(500);
    await tab.waitForSelector('[data-slot$=".1130"][data-status=mine]', { timeout: 10_000 });
    t.pass('after a reconnect the slot being booked is still «Моя бронь»');
    await watcher.waitForSelector('[data-slot$=".1130"][data-status=held]', { timeout: 10_000 });
    const slotId = (await tab.getAttribute('[data-slot$=".1130"]', 'data-slot')) ?? '';
    t.ok(s.stack.host.read.doctor('gp1-d1')?.calendar.slot(slotId)?.hold !== undefined, 'and the server holds it for the new socket');
    const closedAt = Date.now();
    await tab.close();
    await watcher.waitForSelector('[data-slot$=".1130"][data-status=free]', { timeout: 10_000 });
    t.pass(`the other operator saw the slot free ${Date.now() - closedAt} ms after the tab closed (the hold's deadline is 5 min)`);
    s.pages.splice(s.pages.indexOf(tab), 1);
  });

  t.test('the SRE page: an operator is told it needs the admin role; the admin header fits; errors per method with rates', async (t) => {
    const s = session();
    const operator = s.pages[0] as Page;
    await operator.goto(`${s.stack.base}/sre`);
    await operator.waitForSelector('[data-testid=forbidden-screen]');
    t.match(await operator.textContent('[data-testid=forbidden-screen]'), /Нужна роль: администратор\./, 'the page names the role it needs');
    t.equal(new URL(operator.url()).pathname, '/sre', 'and stays where the operator went');
    await shootBoth(s, operator, 'forbidden-sre');

    for (let attempt = 0; attempt < 8; attempt += 1) {
      const bad = await call(s.stack.base, 'POST', '/api/v1/calls', { token: s.stack.tokens.partner, body: { source: 'portal', kind: 'primary', clinicId: 'gp1' } });
      t.equal(bad.status, 400, 'a malformed registration is refused');
    }
    const admin = await s.open('admin');
    const header = await admin.evaluate(`(() => { const bar = document.querySelector('.topbar'); const items = [...bar.querySelectorAll('nav a, .topbar-right > *')].map((item) => Math.round(item.getBoundingClientRect().top / 10)); return { height: bar.getBoundingClientRect().height, rows: new Set(items).size, overflow: bar.scrollWidth - bar.clientWidth }; })()`) as { height: number; rows: number; overflow: number };
    t.ok(header.height < 50 && header.overflow <= 0, `the admin header is one line at 1440 px (${header.height}px high, ${header.rows} row(s), overflow ${header.overflow})`);
    await admin.keyboard.press('Alt+KeyS');
    await admin.waitForSelector('[data-testid=sre-http] tr[data-name=registerCall]');
    const row = admin.locator('[data-testid=sre-http] tr[data-name=registerCall]');
    const errors = Number(await row.getAttribute('data-errors'));
    const count = Number(await row.getAttribute('data-count'));
    t.ok(errors >= 8, `registerCall counts its failed requests (${errors} of ${count})`);
    t.match(await row.textContent(), new RegExp(`${Math.round((errors / count) * 1000) / 10}%`), 'and their share');
    await admin.waitForFunction(`document.querySelectorAll('[data-testid=chart-throughput] svg text').length >= 5`, undefined, { timeout: 15_000 });
    const axis = await admin.$$eval('[data-testid=chart-throughput] svg text', (texts) => texts.map((text) => text.textContent ?? ''));
    t.ok(axis.some((label) => /^\d\d:\d\d:\d\d$/.test(label)), `the chart has a time axis (${axis.join(' ')})`);
    t.ok(await admin.locator('[data-testid=chart-throughput] .legend span').count() >= 2, 'and a legend');
    // A few seconds of light traffic, some of it refused, so the charts and rate columns have something to show.
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      await Promise.all([
        call(s.stack.base, 'GET', '/api/v1/clinics/gp1/board', { token: s.stack.tokens.partner }),
        call(s.stack.base, 'POST', '/api/v1/calls', { token: s.stack.tokens.partner, body: { source: 'portal' } }),
      ]);
      await admin.waitForTimeout(50);
    }
    await admin.waitForFunction(`Number(document.querySelector('[data-testid=sre-http] tr[data-name=registerCall] td:nth-child(6)')?.textContent) > 0`, undefined, { timeout: 10_000 });
    t.pass('the error rate of the failing method is shown over the last minute');
    await shootBoth(s, admin, 'sre');
    await accessible(t, admin, 'the SRE page');
  });

  t.test('axe-core on the remaining screens: sign-in, route sheet, alerts, users, English desk', async (t) => {
    const s = session();
    const admin = s.pages[s.pages.length - 1] as Page;
    for (const [path, ready] of [['/users', '[data-testid=users]'], ['/alerts', 'main'], ['/route-sheet', 'main'], ['/desk', '[data-testid=desk]']] as const) {
      await admin.goto(`${s.stack.base}${path}`);
      await admin.waitForSelector(ready);
      await admin.waitForTimeout(300);
      await accessible(t, admin, path);
    }
    await admin.click('[data-testid=lang]');
    await admin.waitForSelector('nav >> text=Desk');
    await accessible(t, admin, 'the desk in English');
    await admin.click('[data-testid=lang]');
    await admin.click('[data-testid=sign-out]');
    await admin.waitForSelector('[data-testid=sign-in]');
    await accessible(t, admin, 'the sign-in page');
  });
});
