/**
 * What the UI's browser tests run against: the real gateway with the production extension list (the UI's
 * served from a build in a temporary directory), the demo region and its logins, on a free loopback port —
 * started through gateway/test-server.ts (the product's startServer), but on a clock the test can move
 * (`clock.offsetMs`), so the screens can be shown on a working weekday morning whatever day the tests run, and
 * a call can be made overdue.
 */
import type { EngineHost } from '../../persistence/engine-host.ts';
import type { DemoTokens } from '../demo-seed.ts';
import { gatewayExtensions } from '../extensions.ts';
import type { Gateway } from '../server.ts';
import { startTestServer } from '../test-server.ts';
import { createUiExtension, uiExtension } from './ui-extension.ts';

export interface MovableClock {
  offsetMs: number;
  now(): number;
}

export interface UiStack {
  readonly host: EngineHost;
  readonly gateway: Gateway;
  readonly tokens: DemoTokens;
  readonly base: string;
  readonly clock: MovableClock;
  stop(): Promise<void>;
}

export async function startUiStack(options: { distDir: string; clockOffsetMs?: number }): Promise<UiStack> {
  const clock: MovableClock = { offsetMs: options.clockOffsetMs ?? 0, now: () => Date.now() + clock.offsetMs };
  const extensions = gatewayExtensions.map((extension) => (extension === uiExtension ? createUiExtension({ distDir: options.distDir }) : extension));
  const server = await startTestServer({ clock, extensions });
  return { host: server.host, gateway: server.gateway, tokens: server.tokens, clock, base: server.base, stop: () => server.stop() };
}

/** Milliseconds from now to the next Wednesday (at least a day ahead) at `hour:minute` in Moscow (UTC+3, no DST). */
export function offsetToNextWednesday(nowMs: number, hour: number, minute: number): number {
  const moscowOffsetMs = 3 * 60 * 60 * 1000;
  const local = new Date(nowMs + moscowOffsetMs);
  const daysAhead = ((3 - local.getUTCDay() + 7) % 7) || 7;
  const target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + daysAhead, hour, minute) - moscowOffsetMs;
  return target - nowMs;
}
