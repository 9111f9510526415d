/**
 * What the UI's browser tests run against: the real gateway with the production extension list (the UI's
 * served from a build in a temporary directory), the demo region and its logins, on a free loopback port —
 * like gateway/test-server.ts, but on a clock the test can move (`clock.offsetMs`), so the screens can be
 * shown on a working weekday morning whatever day the tests run, and a call can be made overdue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { EngineHost } from '../../persistence/engine-host.ts';
import { seedDemo, type DemoTokens } from '../demo-seed.ts';
import { gatewayExtensions } from '../extensions.ts';
import { startGateway, type Gateway } from '../server.ts';
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
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-ui-'));
  const clock: MovableClock = { offsetMs: options.clockOffsetMs ?? 0, now: () => Date.now() + clock.offsetMs };
  const prefix = randomBytes(3).toString('hex');
  let counter = 0;
  const host = await EngineHost.open({ dataDir, clock, ids: { next: () => `${prefix}${(counter += 1).toString(36)}` } });
  const extensions = gatewayExtensions.map((extension) => (extension === uiExtension ? createUiExtension({ distDir: options.distDir }) : extension));
  const gateway = await startGateway({
    host, clock, logger: pino({ level: 'silent' }), port: 0, listenHost: '127.0.0.1', requestsPerSecond: 100_000, burst: 100_000, extensions,
  });
  const tokens = await seedDemo(host, gateway.tokens, dataDir, clock.now());
  return {
    host, gateway, tokens, clock, base: `http://127.0.0.1:${gateway.port}`,
    stop: async () => {
      await gateway.close();
      await host.close({ snapshot: false });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds from now to the next Wednesday (at least a day ahead) at `hour:minute` in Moscow (UTC+3, no DST). */
export function offsetToNextWednesday(nowMs: number, hour: number, minute: number): number {
  const moscowOffsetMs = 3 * 60 * 60 * 1000;
  const local = new Date(nowMs + moscowOffsetMs);
  const daysAhead = ((3 - local.getUTCDay() + 7) % 7) || 7;
  const target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + daysAhead, hour, minute) - moscowOffsetMs;
  return target - nowMs;
}
