/**
 * The calendar, the reception queue and the rest of the UI in Chromium against the real server: a slot held
 * in one operator's browser shows as held in another's of the same clinic (and the other clinic cannot open
 * that calendar at all), booking, rescheduling, check-in, "call next" turning the cabinet monitor busy, a
 * negative rating raising an alert to acknowledge, the SRE page, user administration, the English switch and
 * a half-typed form surviving a reload.
 */
import type { Page } from 'playwright-core';
import { call } from '../test-server.ts';
import { e2e, secondOperator } from './ui-e2e-session.ts';

/** How long the SRE step keeps a light load on the server, so the charts have something to show. */
const loadMs = 4_500;
const slotSelector = (hhmm: string): string => `[data-slot$=".${hhmm}"]`;

/** A few board reads every 20 ms for `durationMs`: the SRE page's throughput and latency lines move. */
async function someLoad(base: string, token: string, durationMs: number): Promise<void> {
  const until = Date.now() + durationMs;
  while (Date.now() < until) {
    await Promise.all([call(base, 'GET', '/api/v1/clinics/gp1/board', { token }), call(base, 'GET', '/api/v1/clinics/gp1/calls?limit=50', { token })]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

e2e('the calendar, queue, alerts, SRE and users screens in Chromium', ['calendar', 'monitor', 'sre'], (t, session) => {
  let slotId = '';
  let appointmentId = '';

  t.test('a slot held in one operator browser shows held in the other; another clinic sees neither', async (t) => {
    const a = await session().open('operator-gp1');
    const b = await session().open(secondOperator.login);
    const c = await session().open('operator-gp2');
    for (const page of [a, b]) {
      await page.goto(`${session().stack.base}/calendar?doctor=gp1-d1`);
      await page.waitForSelector(`${slotSelector('1100')}[data-status=free]`);
    }
    slotId = (await a.getAttribute(slotSelector('1100'), 'data-slot')) ?? '';
    const seenInB = b.waitForSelector(`[data-slot="${slotId}"][data-status=held]`, { timeout: 10_000 }).then(() => Date.now());
    await a.click(`[data-slot="${slotId}"]`);
    await a.waitForSelector(`[data-slot="${slotId}"][data-status=mine]`);
    const heldAt = Date.now();
    t.pass(`the other operator saw the hold ${(await seenInB) - heldAt} ms after the holder's reply`);
    await session().artifacts.shot(b, 'calendar');
    await c.goto(`${session().stack.base}/calendar?doctor=gp1-d1`);
    await c.waitForSelector('[data-testid=calendar-error]');
    t.match(await c.textContent('[data-testid=calendar-error]'), /Нет доступа/, "another clinic's operator cannot open that calendar");
    await c.goto(`${session().stack.base}/calendar`);
    await c.waitForSelector('[data-slot]');
    t.equal(await c.locator('[data-status=held], [data-status=mine]').count(), 0, 'and sees no held slot in its own');
  });

  t.test('book the held slot, then reschedule it by picking another', async (t) => {
    const [a, b] = session().pages as [Page, Page];
    await a.waitForSelector('[data-testid=booking-panel]');
    for (const [name, value] of [['bookPhone', '+79990001122'], ['bookSurname', 'Слотова'], ['bookName', 'Анна'], ['bookBirthDate', '1990-01-01']] as const) {
      await a.fill(`[data-testid=field-${name}]`, value);
    }
    await a.click('[data-testid=choice-bookSex] label:has-text("Ж")');
    await session().artifacts.shot(a, 'calendar-booking');
    await a.click('[data-testid=book]');
    await b.waitForSelector(`[data-slot="${slotId}"][data-status=booked]`, { timeout: 5_000 });
    t.pass('the other operator sees the slot booked');
    await a.click(`[data-slot="${slotId}"]`);
    await a.click('[data-testid=appointment-panel] button:has-text("Перенести")');
    await a.click(`${slotSelector('1115')}[data-status=free]`);
    await b.waitForSelector(`${slotSelector('1115')}[data-status=booked]`, { timeout: 5_000 });
    await b.waitForSelector(`[data-slot="${slotId}"][data-status=free]`, { timeout: 5_000 });
    t.pass('the move shows live: the new time booked, the old one free again');
  });

  t.test('check in, call next: the cabinet monitor turns busy live', async (t) => {
    const [a, b] = session().pages as [Page, Page];
    await a.goto(`${session().stack.base}/queue?doctor=gp1-d1`);
    appointmentId = (await a.getAttribute('[data-testid=check-in]', 'data-appointment')) ?? '';
    await a.click('[data-testid=check-in]');
    await a.waitForSelector('[data-testid=waiting] li');
    await b.goto(`${session().stack.base}/monitor?doctor=gp1-d1`);
    await b.waitForSelector('[data-testid=monitor][data-state=free]');
    await a.click('[data-testid=call-next]');
    await b.waitForSelector('[data-testid=monitor][data-state=busy]', { timeout: 5_000 });
    t.pass('the monitor shows the cabinet busy');
    await session().artifacts.shot(a, 'queue');
    await session().artifacts.shot(b, 'monitor');
    await a.click('[data-testid=cabinet] button:has-text("Завершить")');
    await b.waitForSelector('[data-testid=monitor][data-state=free]', { timeout: 5_000 });
    t.pass('and free again when the visit ends');
  });

  t.test('a negative rating raises an alert that an operator acknowledges', async (t) => {
    const [a, b] = session().pages as [Page, Page];
    const { stack } = session();
    const feedback = await call(stack.base, 'POST', `/api/v1/appointments/${appointmentId}/feedback`, { token: stack.tokens.partner, body: { rating: 1, comment: 'Долго ждали у кабинета' } });
    t.equal(feedback.status, 200, 'the patient rates the visit 1 of 5', { body: feedback.text });
    await a.goto(`${stack.base}/alerts`);
    await b.goto(`${stack.base}/alerts`);
    await a.waitForSelector('[data-testid=alert]');
    await b.waitForSelector('[data-testid=alert]');
    await session().artifacts.shot(a, 'alerts');
    await a.click('[data-testid=alert] button');
    await b.waitForSelector('[data-testid=alert]', { state: 'detached', timeout: 5_000 });
    t.pass('acknowledged in one browser, gone from the other');
  });

  t.test('the SRE page and user administration (admin)', async (t) => {
    const admin = await session().open('admin');
    await admin.keyboard.press('Alt+KeyS');
    await admin.waitForSelector('[data-testid=chart-throughput]');
    await someLoad(session().stack.base, session().stack.tokens.operators['gp1'] ?? '', loadMs);
    const points = (await admin.locator('[data-testid=chart-throughput] polyline').first().getAttribute('points')) ?? '';
    t.ok(points.split(' ').length >= 2, 'the throughput chart has drawn several polls');
    await session().artifacts.shot(admin, 'sre');
    t.ok(await admin.locator('[data-testid=sre] table tbody tr').count() > 0, 'latency rows per command and method');
    await admin.keyboard.press('Alt+KeyU');
    await admin.fill('[data-testid=field-newLogin]', 'operator3-gp1');
    await admin.fill('[data-testid=field-newPassword]', 'third-operator-pw');
    await admin.click('[data-testid=users] button[type=submit]');
    await admin.waitForSelector('[data-testid=users] tr:has-text("operator3-gp1")');
    await admin.selectOption('[aria-label="ЛПУ: operator3-gp1"]', 'gp2');
    const clinicOf = async (): Promise<unknown> => {
      const users = await call(session().stack.base, 'GET', '/api/v1/admin/users', { token: session().stack.tokens.admin });
      return (users.body as Array<{ login: string; clinicId?: string }>).find((user) => user.login === 'operator3-gp1')?.clinicId;
    };
    for (let attempt = 0; attempt < 50 && (await clinicOf()) !== 'gp2'; attempt += 1) await admin.waitForTimeout(100);
    t.equal(await clinicOf(), 'gp2', 'the admin moved the user to another clinic');
    await admin.click('[data-testid=toggle-operator3-gp1]');
    await admin.waitForSelector('[data-testid=users] tr:has-text("operator3-gp1"):has-text("Отключён")');
    await session().artifacts.shot(admin, 'users');
    const signIn = await call(session().stack.base, 'POST', '/api/v1/auth/login', { body: { login: 'operator3-gp1', password: 'third-operator-pw' } });
    t.equal(signIn.status, 401, 'a disabled user cannot sign in');
    const operator = session().pages[2] as Page;
    t.equal(await operator.locator('a[href="/sre"]').count(), 0, 'an operator has no SRE page');
  });

  t.test('English on request; a half-typed form survives a reload', async (t) => {
    const a = session().pages[0] as Page;
    await a.goto(`${session().stack.base}/calls/new`);
    await a.fill('[data-testid=field-surname]', 'Черновикова');
    await a.fill('[data-testid=field-complaints]', 'кашель третий день');
    await a.reload();
    await a.waitForSelector('[data-testid=draft-restored]');
    t.equal(await a.inputValue('[data-testid=field-surname]'), 'Черновикова', 'the draft is back after a reload');
    t.equal(await a.inputValue('[data-testid=field-complaints]'), 'кашель третий день', 'up to the last keystroke');
    await a.click('[data-testid=lang]');
    await a.waitForSelector('nav >> text=New call');
    await session().artifacts.shot(a, 'call-form-en');
    await a.click('[data-testid=lang]');
    await a.waitForSelector('nav >> text=Новый вызов');
    t.pass('the language switches both ways');
    await a.click('[data-testid=sign-out]');
    await a.waitForSelector('[data-testid=sign-in]');
    t.pass('signed out');
  });
});
