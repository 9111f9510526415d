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
import type { Scenario, ScenarioOutcome } from './scenario-kit.ts';
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
      args: new ScenarioArgs(argv),
      ...(options.outputDir === undefined ? {} : { outputDir: options.outputDir }),
      ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
      commandLine: options.commandLine ?? [process.argv0, ...process.execArgv, ...process.argv.slice(1)],
      log,
    });
  } finally {
    await killAllServers();
  }
}
