/**
 * What the UI's browser tests share: building the UI into a temporary directory (Vite's API), launching
 * Debian's Chromium through playwright-core (never a downloaded browser), signing in a fresh context, and
 * screenshots saved as test artifacts (and, when UI_SCREENSHOTS_DIR is set, the README's copies refreshed).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';

export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const adminUiDir = fileURLToPath(new URL('../../admin-ui', import.meta.url));
export const viewport = { width: 1440, height: 900 } as const;
/** How long a page step may wait: long enough for a loaded 2-core machine, short enough to fail fast. */
export const pageTimeoutMs = 15_000;

export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath);
}

export async function buildUi(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'cd-ui-dist-'));
  await build({ root: adminUiDir, configFile: join(adminUiDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
  return outDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export class Artifacts {
  readonly dir: string;
  readonly #committedDir: string | undefined;
  readonly #committed: ReadonlySet<string>;

  constructor(committed: readonly string[]) {
    this.dir = process.env['UI_ARTIFACTS_DIR'] ?? mkdtempSync(join(tmpdir(), 'cd-ui-artifacts-'));
    mkdirSync(this.dir, { recursive: true });
    this.#committedDir = process.env['UI_SCREENSHOTS_DIR'];
    this.#committed = new Set(committed);
  }

  async shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
    const path = join(this.dir, `${name}.png`);
    await page.screenshot({ path, fullPage: options.fullPage ?? false });
    if (this.#committedDir !== undefined && this.#committed.has(name)) {
      mkdirSync(this.#committedDir, { recursive: true });
      copyFileSync(path, join(this.#committedDir, `${name}.png`));
    }
    return path;
  }
}

export interface SignedIn {
  readonly page: Page;
  readonly errors: string[];
}

/** A new browser context (Russian locale, Moscow time), signed in through the sign-in form. */
export async function signIn(browser: Browser, base: string, login: string, password: string, artifacts?: Artifacts): Promise<SignedIn> {
  // bypassCSP: the tests' own probes are source strings (waitForFunction), which the page's CSP rightly forbids.
  const context = await browser.newContext({ viewport, locale: 'ru-RU', timezoneId: 'Europe/Moscow', bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(pageTimeoutMs);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}/`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  if (artifacts !== undefined) await artifacts.shot(page, 'sign-in');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=connection][data-status=online]', { timeout: 15_000 });
  return { page, errors };
}

/** A browser-side condition as source text (the root tsconfig has no DOM types, and the page needs none from us). */
export function counterIs(name: string, value: number): string {
  return `document.querySelector('[data-testid=counter-${name}]')?.textContent === '${value}'`;
}

export function rowWith(text: string): string {
  return `[...document.querySelectorAll('[data-testid=call-row]')].some((row) => row.textContent.includes(${JSON.stringify(text)}))`;
}
