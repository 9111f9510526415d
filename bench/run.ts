// `npm run bench -- <scenario> [options]`: runs one scenario of BENCH.md and writes its results to
// bench/results/<scenario>-<UTC stamp>.{json,md,svg}, updating bench/results/README.md's headline table.
//
//   npm run bench -- seed-peak                     1,353 operators, the standard mix, data on disk
//   npm run bench -- seed-peak --tmpfs             the same with the data directory on /dev/shm
//   npm run bench -- seed-peak --size small        a size that finishes in seconds
//   npm run bench -- booking-storm --clients 2000 --seconds 15
//   npm run bench -- recovery --calls 200000
//
// Every scenario's options are listed in docs/bench.md. `--out <dir>` writes results elsewhere (the smoke
// tests do). The exit code is 0 when the run completed (targets missed are reported, not failures: BENCH.md
// rule 5), 1 when it could not run, 2 for a usage error.

import { pathToFileURL } from 'node:url';
import { runScenario, scenarios } from './scenarios/scenario-registry.ts';
import { ScenarioUsageError } from './scenarios/scenario-kit.ts';

export const usage = `usage: npm run bench -- <scenario> [--size small|full] [--tmpfs] [--out <dir>] [scenario options]
scenarios: ${[...scenarios.keys()].join(', ')}
options per scenario: docs/bench.md`;

export function splitOut(argv: readonly string[]): { readonly outputDir: string | undefined; readonly rest: string[] } {
  const rest: string[] = [];
  let outputDir: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    if (argv[index] === '--out') {
      outputDir = argv[index + 1];
      index += 1;
    } else {
      rest.push(argv[index] ?? '');
    }
  }
  return { outputDir, rest };
}

async function main(): Promise<number> {
  const [name, ...options] = process.argv.slice(2);
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  if (!scenarios.has(name)) {
    process.stderr.write(`unknown scenario "${name}"\n${usage}\n`);
    return 2;
  }
  const { outputDir, rest } = splitOut(options);
  let outcome;
  try {
    outcome = await runScenario(name, rest, outputDir === undefined ? {} : { outputDir });
  } catch (error) {
    if (!(error instanceof ScenarioUsageError)) throw error;
    process.stderr.write(`bench ${name}: ${error.message}\n${usage}\n`);
    return 2;
  }
  for (const line of outcome.summary) process.stdout.write(`${line}\n`);
  for (const files of outcome.files) process.stdout.write(`results: ${files.markdownPath}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
