// The scenarios of BENCH.md by name, and one way to run any of them (used by bench/run.ts, bench/profile.ts
// and the smoke tests). Whatever happens, every server process a scenario started is killed on the way out.

import { killAllServers } from '../load/server-process.ts';
import { runBookingStorm } from './booking-storm.ts';
import { runDurableLatency } from './durable-latency.ts';
import { runFreeze } from './freeze.ts';
import { runOperators19k } from './operators-19k.ts';
import { runPartnerHttp } from './partner-http.ts';
import { runRecovery } from './recovery.ts';
import { ScenarioArgs } from './scenario-kit.ts';
import type { Scenario, ScenarioOptionSpec, ScenarioOutcome } from './scenario-kit.ts';
import { runSeedPeak } from './seed-peak.ts';

export const scenarios: ReadonlyMap<string, Scenario> = new Map<string, Scenario>([
  ['seed-peak', runSeedPeak],
  ['operators-19k', runOperators19k],
  ['booking-storm', runBookingStorm],
  ['freeze', runFreeze],
  ['recovery', runRecovery],
  ['partner-http', runPartnerHttp],
  ['durable-latency', runDurableLatency],
]);

/**
 * The options each scenario takes besides `--size` and `--server-node-args` (docs/bench.md lists them); an
 * option not declared here is refused with exit 2, and a scenario reading one it did not declare throws.
 */
const seedPeakOptions: ScenarioOptionSpec = { flags: ['tmpfs', 'skip-peers'], numbers: ['clinics', 'doctors-per-clinic', 'floor-seconds', 'operators', 'rate', 'seconds', 'timeout-ms', 'warmup-seconds', 'workers'] };

export const scenarioOptions: ReadonlyMap<string, ScenarioOptionSpec> = new Map<string, ScenarioOptionSpec>([
  ['seed-peak', seedPeakOptions],
  ['operators-19k', { flags: ['tmpfs'], numbers: ['break-loss', 'break-p99-ms', 'clinics', 'decoding-sessions', 'doctors-per-clinic', 'operators', 'step-seconds', 'timeout-ms', 'warmup-seconds', 'workers'], texts: ['rates'] }],
  ['booking-storm', { flags: ['tmpfs'], numbers: ['clients', 'doctors-per-clinic', 'hot-slots', 'open-fraction', 'open-seconds', 'peer-pool-size', 'seconds', 'timeout-ms', 'warmup-seconds', 'window-ms', 'workers'] }],
  // freeze passes its options on to bench/freeze.ts (calls, days, rate, seconds, worker-nice, data-dir, keep);
  // its stand-in (--fallback) runs seed-peak's load, so it takes seed-peak's options too.
  ['freeze', {
    flags: [...(seedPeakOptions.flags ?? []), 'fallback', 'keep'],
    numbers: [...new Set([...(seedPeakOptions.numbers ?? []), 'read-connections', 'calls', 'days', 'worker-nice'])],
    texts: ['data-dir'],
  }],
  ['recovery', { flags: ['tmpfs'], numbers: ['calls', 'generator-heap-mb', 'in-flight-at-kill', 'tail-commands'], texts: ['scale'] }],
  ['partner-http', { flags: ['skip-floor', 'skip-peer', 'tmpfs'], numbers: ['clinics', 'connections', 'doctors-per-clinic', 'open-fraction', 'open-rate-max', 'open-seconds', 'prebooked', 'search-patients', 'seconds', 'timeout-ms'], texts: ['endpoints'] }],
  ['durable-latency', { flags: ['skip-peer', 'strace'], numbers: ['floor-seconds', 'seconds', 'timeout-ms', 'warmup-seconds', 'ws-sessions'], texts: ['rates', 'storages', 'transports', 'write-on'] }],
]);

export interface RunScenarioOptions {
  readonly outputDir?: string;
  readonly profileDir?: string;
  readonly commandLine?: readonly string[];
  readonly log?: (line: string) => void;
}

export async function runScenario(name: string, argv: readonly string[], options: RunScenarioOptions = {}): Promise<ScenarioOutcome> {
  const scenario = scenarios.get(name);
  if (scenario === undefined) throw new Error(`unknown scenario "${name}"; one of: ${[...scenarios.keys()].join(', ')}`);
  const log = options.log ?? ((line: string) => process.stderr.write(`[${name}] ${line}\n`));
  try {
    return await scenario({
      scenario: name,
      args: new ScenarioArgs(argv, scenarioOptions.get(name) ?? {}),
      ...(options.outputDir === undefined ? {} : { outputDir: options.outputDir }),
      ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
      commandLine: options.commandLine ?? [process.argv0, ...process.execArgv, ...process.argv.slice(1)],
      log,
    });
  } finally {
    await killAllServers();
  }
}
