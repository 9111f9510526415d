/**
 * The clean-stop sequence: its order, the bound (a step that never ends gives `timed_out` and a fatal log
 * line once the timeout passes), and a failing step (`failed`).
 */
import t from 'tap';
import { stopGracefully, type StoppableGateway, type StoppableHost } from './graceful-stop.ts';

function recorder(): { steps: string[]; lines: Array<{ level: string; message: string }>; logger: Parameters<typeof stopGracefully>[0]['logger'] } {
  const steps: string[] = [];
  const lines: Array<{ level: string; message: string }> = [];
  const log = (level: string) => (first: unknown, second?: unknown): void => {
    lines.push({ level, message: typeof first === 'string' ? first : String(second) });
  };
  return { steps, lines, logger: { info: log('info'), fatal: log('fatal') } as unknown as Parameters<typeof stopGracefully>[0]['logger'] };
}

function parts(steps: string[], overrides: { drain?: () => Promise<void>; close?: () => Promise<void> } = {}): { gateway: StoppableGateway; host: StoppableHost } {
  return {
    gateway: {
      drain: overrides.drain ?? (async () => { steps.push('drain'); }),
      close: async () => { steps.push('gateway.close'); },
    },
    host: {
      durablePosition: 7,
      whenDurable: async () => { steps.push('whenDurable'); },
      close: overrides.close ?? (async () => { steps.push('host.close'); }),
    },
  };
}

t.test('the steps run in order and the outcome is stopped', async (t) => {
  const { steps, lines, logger } = recorder();
  const outcome = await stopGracefully({ ...parts(steps), logger, timeoutMs: 5_000, signal: 'SIGTERM' });
  t.equal(outcome, 'stopped');
  t.same(steps, ['drain', 'whenDurable', 'gateway.close', 'host.close']);
  t.equal(lines.at(-1)?.message, 'stopped');
});

t.test('a step that never ends is cut off by the timeout with a fatal line', async (t) => {
  const { steps, lines, logger } = recorder();
  const started = performance.now();
  const outcome = await stopGracefully({ ...parts(steps, { drain: () => new Promise<void>(() => undefined) }), logger, timeoutMs: 200, signal: 'SIGTERM' });
  t.equal(outcome, 'timed_out');
  t.ok(performance.now() - started >= 190, 'it waited for the bound');
  t.same(steps, [], 'nothing after the stuck step ran');
  t.match(lines.at(-1), { level: 'fatal', message: /did not finish within SHUTDOWN_TIMEOUT_MS/ });
});

t.test('a failing step gives failed with a fatal line', async (t) => {
  const { steps, lines, logger } = recorder();
  const outcome = await stopGracefully({ ...parts(steps, { close: async () => { throw new Error('disk gone'); } }), logger, timeoutMs: 5_000, signal: 'SIGINT' });
  t.equal(outcome, 'failed');
  t.match(lines.at(-1), { level: 'fatal', message: /clean stop failed/ });
});
