/**
 * One browser-test session: the UI built, the server started on a Wednesday-morning clock, a second
 * operator of gp1 created through the admin API, Chromium launched; pages signed in on demand; on a failed
 * step every page is photographed; at the end everything is closed. `e2e` wraps a test file's steps in one
 * parent test, so the cleanup runs when the steps are done (and skips when there is no Chromium).
 */
import t, { type Test } from 'tap';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { call, type ApiResponse } from '../test-server.ts';
import { Artifacts, buildUi, chromiumAvailable, launchChromium, signIn } from './ui-browser-kit.ts';
import { offsetToNextWednesday, startUiStack, type UiStack } from './ui-test-stack.ts';

export const secondOperator = { login: 'operator2-gp1', password: 'second-operator-pw' } as const;
/** The server's clock: next Wednesday 10:30 in Moscow, so there is a working day with reception slots "now". */
const clockHour = 10;
const clockMinute = 30;

export class UiSession {
  readonly pages: Page[] = [];
  readonly errors: string[][] = [];
  readonly artifacts: Artifacts;
  readonly #distDir: string;
  readonly stack: UiStack;
  readonly browser: Browser;

  private constructor(artifacts: Artifacts, distDir: string, stack: UiStack, browser: Browser) {
    this.artifacts = artifacts;
    this.#distDir = distDir;
    this.stack = stack;
    this.browser = browser;
  }

  static async start(committedShots: readonly string[]): Promise<UiSession> {
    const distDir = await buildUi();
    const stack = await startUiStack({ distDir, clockOffsetMs: offsetToNextWednesday(Date.now(), clockHour, clockMinute) });
    const created = await call(stack.base, 'POST', '/api/v1/admin/users', { token: stack.tokens.admin, body: { ...secondOperator, role: 'operator', clinicId: 'gp1' } });
    if (created.status !== 201) throw new Error(`creating the second operator: ${created.status} ${created.text}`);
    return new UiSession(new Artifacts(committedShots), distDir, stack, await launchChromium());
  }

  /** Signs a demo login (or the second operator) in, in its own browser context. */
  async open(login: string, options: { shootSignIn?: boolean } = {}): Promise<Page> {
    const password = login === secondOperator.login ? secondOperator.password : this.stack.tokens.logins.find((entry) => entry.login === login)?.password;
    if (password === undefined) throw new Error(`no demo login ${login}`);
    const signedIn = await signIn(this.browser, this.stack.base, login, password, options.shootSignIn === true ? this.artifacts : undefined);
    this.pages.push(signedIn.page);
    this.errors.push(signedIn.errors);
    return signedIn.page;
  }

  /** A call registered through the partner API (as the portal would), in gp1 unless told otherwise. */
  registerByApi(surname: string, extra: Readonly<Record<string, unknown>> = {}): Promise<ApiResponse> {
    return call(this.stack.base, 'POST', '/api/v1/calls', {
      token: this.stack.tokens.partner,
      body: {
        source: 'portal', kind: 'primary', clinicId: 'gp1',
        patient: { surname, name: 'Мария', birthDate: '1984-03-02', sex: 'F', phone: '+79160000000' },
        address: { text: 'г. Ярославль, ул. Кирова', house: '7', apartment: '3' }, complaints: { text: 'кашель, слабость', tags: ['cough', 'weakness'] },
        ...extra,
      },
    });
  }

  async shootFailure(step: string): Promise<void> {
    const slug = step.slice(0, 24).replace(/[^\p{L}\p{N}]+/gu, '-');
    for (const [index, page] of this.pages.entries()) await this.artifacts.shot(page, `failed-${slug}-${index}`).catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await this.stack.stop();
    rmSync(this.#distDir, { recursive: true, force: true });
  }
}

/** Runs a file's browser steps in one parent test with the session's set-up and cleanup around them. */
export function e2e(title: string, committedShots: readonly string[], steps: (t: Test, session: () => UiSession) => void): void {
  if (!chromiumAvailable()) {
    t.test(title, { skip: 'no Chromium at CHROMIUM_PATH or /usr/bin/chromium (.ci/run installs it)' }, () => undefined);
    return;
  }
  t.test(title, async (t) => {
    let session: UiSession | undefined;
    const current = (): UiSession => {
      if (session === undefined) throw new Error('the session starts in before()');
      return session;
    };
    t.before(async () => {
      session = await UiSession.start(committedShots);
    });
    t.afterEach(async (t) => {
      if (!t.passing()) await current().shootFailure(t.name);
    });
    t.after(async () => {
      if (session === undefined) return;
      console.log(`# UI screenshots: ${session.artifacts.dir}`);
      await session.stop();
    });
    steps(t, current);
    t.test('no script errors in any page', async (t) => {
      for (const pageErrors of current().errors) t.same(pageErrors, [], 'no uncaught error in the page');
    });
  });
}
