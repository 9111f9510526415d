// `npm run profile -- <scenario> [options]`: runs a scenario with the server under test on `node --cpu-prof`
// (clinic.js is not installed here; NO_INSIGHT=1 would only matter to it), writing the V8 profile to
// bench/results/profiles/<scenario>-<ms>.cpuprofile (gitignored; the main thread's profile: Node writes one
// per thread and tsx's loader has a thread of its own), then prints the functions with the most self
// time and keeps that table beside it as <same name>.top.md. The scenario's own results are written as usual.
//
//   npm run profile -- seed-peak --seconds 30
//   npm run profile -- booking-storm --size small --top 40

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderProfileSummary, summarizeCpuProfile, topFunctionsMax } from './load/cpu-profile-summary.ts';
import { splitOut, usage } from './run.ts';
import { runScenario, scenarios } from './scenarios/scenario-registry.ts';

export const profilesDir = fileURLToPath(new URL('./results/profiles/', import.meta.url));
export const profileWaitMs = 10_000;

function takeTop(argv: readonly string[]): { readonly top: number; readonly rest: string[] } {
  const index = argv.indexOf('--top');
  if (index === -1) return { top: 25, rest: [...argv] };
  const top = Number(argv[index + 1]);
  if (!Number.isInteger(top) || top < 1 || top > topFunctionsMax) throw new RangeError(`--top in [1, ${topFunctionsMax}]`);
  return { top, rest: [...argv.slice(0, index), ...argv.slice(index + 2)] };
}

/** V8's default profile name ends in `.<pid>.<thread id>.<sequence>.cpuprofile`; the main thread is 0. */
const mainThreadProfile = /^CPU\.\d{8}\.\d{6}\.\d+\.0\.\d+\.cpuprofile$/;

/**
 * Waits for the server's main-thread profile in `directory`, moves it to `<directory>.cpuprofile` and removes
 * the directory with the other threads' profiles (tsx's loader thread: noise). Returns the kept file.
 */
async function keepMainThreadProfile(directory: string): Promise<string | undefined> {
  const deadline = performance.now() + profileWaitMs;
  while (performance.now() < deadline) {
    const found = existsSync(directory) ? readdirSync(directory).find((name) => mainThreadProfile.test(name)) : undefined;
    if (found !== undefined) {
      const kept = `${directory}.cpuprofile`;
      renameSync(join(directory, found), kept);
      rmSync(directory, { recursive: true, force: true });
      return kept;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

async function main(): Promise<number> {
  const [name, ...options] = process.argv.slice(2);
  if (name === undefined || !scenarios.has(name)) {
    process.stderr.write(`${usage.replace('bench --', 'profile --')}\n  --top N  rows of the self-time table (25)\n`);
    return 2;
  }
  process.env['NO_INSIGHT'] = '1';
  mkdirSync(profilesDir, { recursive: true });
  const { top, rest } = takeTop(options);
  const { outputDir, rest: scenarioArgs } = splitOut(rest);
  const outcome = await runScenario(name, scenarioArgs, { profileDir: profilesDir, ...(outputDir === undefined ? {} : { outputDir }) });
  for (const line of outcome.summary) process.stdout.write(`${line}\n`);
  for (const directory of outcome.profiles) {
    const profile = await keepMainThreadProfile(directory);
    if (profile === undefined) {
      process.stdout.write(`no main-thread profile in ${directory}: the server did not exit cleanly\n`);
      continue;
    }
    const summary = summarizeCpuProfile(profile, top);
    const table = renderProfileSummary(summary);
    writeFileSync(profile.replace(/\.cpuprofile$/, '.top.md'), table);
    process.stdout.write(`\n${table}`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`profile: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
