// The scenarios' smoke tests share this: run one scenario at its `small` size into a temporary results
// directory, and check that it wrote what BENCH.md rule 4 asks (JSON with the command line, commit, node, the
// parameters and figures; the Markdown; the SVG; the README row) — behaviour only, never a timing (rule 5).

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { runScenario } from './scenario-registry.ts';
import type { ScenarioOutcome } from './scenario-kit.ts';

export interface SmokeRun {
  readonly outcome: ScenarioOutcome;
  /** The parsed JSON result of the first file. */
  readonly json: { readonly [key: string]: unknown };
  readonly figures: { readonly [key: string]: unknown };
}

export async function runSmoke(t: Test, scenario: string, extraArgs: readonly string[] = []): Promise<SmokeRun> {
  const outputDir = mkdtempSync(join(tmpdir(), `bench-smoke-${scenario}-`));
  t.teardown(() => rmSync(outputDir, { recursive: true, force: true }));
  const outcome = await runScenario(scenario, ['--size', 'small', ...extraArgs], {
    outputDir, commandLine: ['smoke', scenario], log: (line) => t.comment(line),
  });
  t.ok(outcome.summary.length > 0, 'a summary for the terminal');
  const files = outcome.files[0];
  if (files === undefined) throw new Error(`${scenario} wrote no result files`);
  for (const path of [files.jsonPath, files.markdownPath, files.svgPath, files.readmePath]) t.ok(existsSync(path), `wrote ${path}`);
  const parsed: unknown = JSON.parse(readFileSync(files.jsonPath, 'utf8'));
  const json = parsed as { readonly [key: string]: unknown };
  t.same(json['commandLine'], ['smoke', scenario], 'the command line is recorded');
  t.equal(json['node'], process.version, 'the node version is recorded');
  t.type(json['parameters'], 'object', 'the parameters are recorded');
  t.match(readFileSync(files.readmePath, 'utf8'), new RegExp(`\\| ${files.baseName.replace(/-\d{8}-\d{6}(-\d+)?$/, '')} \\|`), 'a README row');
  const figures = json['figures'] as { readonly [key: string]: unknown };
  return { outcome, json, figures };
}
