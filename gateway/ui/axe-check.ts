/**
 * The accessibility pass of the browser tests: axe-core (the npm package) injected into the page by playwright
 * and run on the whole document, WCAG 2.x A and AA rules. A test asserts that no violation is serious or
 * critical; the lesser ones are returned too, so a test can print them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
}

/** Runs axe on the page as it is now; the contexts are made with bypassCSP, so the injected script may run. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.addScriptTag({ content: axeSource });
  const script = `window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    .then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact || 'minor', help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`;
  return (await page.evaluate(script)) as AxeViolation[];
}

export function seriousOf(violations: readonly AxeViolation[]): AxeViolation[] {
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
