import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createLatencyHistogram, recordLatencyMs } from './histogram.ts';
import { fileStamp, writeResults } from './results-writer.ts';
import type { ResultSeries } from './results-writer.ts';

function series(name: string, role: ResultSeries['role'], scaleMs: number): ResultSeries {
  const histogram = createLatencyHistogram();
  for (let index = 1; index <= 1_000; index += 1) recordLatencyMs(histogram, (index / 1_000) * scaleMs);
  return { name, role, histogram };
}

function temporaryDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'results-writer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('writes the JSON, the Markdown and the SVG, and a README row', async (t) => {
  const outputDir = temporaryDir(t);
  const now = new Date(Date.UTC(2026, 10, 21, 22, 5, 9));
  const files = writeResults({
    scenario: 'booking-storm',
    outputDir,
    now,
    commandLine: ['node', 'bench/run.ts', 'booking-storm'],
    parameters: { clients: 2_000, slots: 10, durationSeconds: 30 },
    figures: { counts: { sent: 60_000, answered: 59_990, timedOut: 10 }, doubleBookings: 0, note: 'a | b' },
    series: [series('ours', 'ours', 10), series('pg-peer', 'baseline', 400), series('uws-echo', 'floor', 1)],
    ratios: [{ name: 'throughput', ours: 20_000, reference: 1_000, referenceName: 'pg-peer', unit: 'ops/s' }],
    notes: ['the load generator shares the machine (2 cores)'],
  });
  t.equal(files.baseName, 'booking-storm-20261121-220509');
  t.equal(fileStamp(now), '20261121-220509');
  for (const path of [files.jsonPath, files.markdownPath, files.svgPath, files.readmePath]) t.ok(existsSync(path), path);

  const run: unknown = JSON.parse(readFileSync(files.jsonPath, 'utf8'));
  const json = run as {
    git: { commit: string }; node: string; machine: { cpuCount: number; cpuModel: string };
    parameters: { clients: number }; figures: { doubleBookings: number }; commandLine: string[];
    series: Array<{ name: string; summary: { count: number }; histogramBase64: string }>;
    ratios: Array<{ name: string; ratio: number | null }>;
  };
  t.match(json.git.commit, /^([0-9a-f]{40}|unknown)$/);
  t.equal(json.node, process.version);
  t.ok(json.machine.cpuCount > 0 && json.machine.cpuModel.length > 0);
  t.equal(json.parameters.clients, 2_000);
  t.equal(json.figures.doubleBookings, 0);
  t.same(json.commandLine, ['node', 'bench/run.ts', 'booking-storm']);
  t.equal(json.series.length, 3);
  t.equal(json.series[0]?.summary.count, 1_000);
  t.ok((json.series[0]?.histogramBase64.length ?? 0) > 0, 'the histogram itself is kept');
  const p99VsBaseline = json.ratios.find((row) => row.name === 'ours p99 ÷ pg-peer (baseline)');
  t.ok(p99VsBaseline !== undefined && p99VsBaseline.ratio !== null && Math.abs(p99VsBaseline.ratio - 0.025) < 0.001,
    'ratio rows against the baseline');
  t.equal(json.ratios.find((row) => row.name === 'throughput')?.ratio, 20);

  const markdown = readFileSync(files.markdownPath, 'utf8');
  t.match(markdown, /\| ours \| ours \| 1000 \|/);
  t.match(markdown, /ours p99 ÷ uws-echo \(floor\)/);
  t.match(markdown, /\| counts\.answered \| 59990 \|/);
  t.match(markdown, /a \\\| b/, 'pipes in values are escaped');
  t.match(markdown, /!\[latency by percentile\]\(booking-storm-20261121-220509\.svg\)/);

  const svg = readFileSync(files.svgPath, 'utf8');
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.equal(svg.match(/<polyline /g)?.length, 3, 'one line per series');
  t.match(svg, /log scale/, 'a 400x spread gets a log y axis');

  const readme = readFileSync(files.readmePath, 'utf8');
  t.match(readme, /\| booking-storm \| \[2026-11-21 22:05:09\]\(booking-storm-20261121-220509\.md\) \|/);
});

t.test('the README keeps one row per scenario, the latest, and the rest of its text', async (t) => {
  const outputDir = temporaryDir(t);
  writeFileSync(join(outputDir, 'README.md'), '# Bench results\n\nHand-written intro.\n');
  const base = { outputDir, parameters: {}, figures: { value: 1 }, series: [series('ours', 'ours', 5)] } as const;
  writeResults({ ...base, scenario: 'seed-peak', now: new Date(Date.UTC(2026, 0, 1, 10, 0, 0)) });
  writeResults({ ...base, scenario: 'freeze', now: new Date(Date.UTC(2026, 0, 1, 10, 0, 1)) });
  const latest = writeResults({ ...base, scenario: 'seed-peak', now: new Date(Date.UTC(2026, 0, 2, 10, 0, 0)),
    headline: 'p99 2 ms | ratio 0.1' });
  const readme = readFileSync(latest.readmePath, 'utf8');
  t.match(readme, /Hand-written intro\./);
  const rows = readme.split('\n').filter((line) => line.startsWith('| seed-peak |'));
  t.equal(rows.length, 1, 'one row for seed-peak');
  t.match(rows[0] ?? '', /seed-peak-20260102-100000\.md/);
  t.match(rows[0] ?? '', /p99 2 ms \\\| ratio 0\.1/);
  const scenarios = readme.split('\n').filter((line) => /^\| (seed-peak|freeze) \|/.test(line));
  t.same(scenarios.map((line) => line.split(' | ')[0]), ['| seed-peak', '| freeze'], 'rows keep their order');
});

t.test('two runs in the same second get distinct files; bad scenario names are refused', async (t) => {
  const outputDir = temporaryDir(t);
  const now = new Date(Date.UTC(2026, 0, 1, 0, 0, 0));
  const input = { scenario: 'recovery', outputDir, now, parameters: {}, figures: { secondsToServe: 4.2 } } as const;
  const first = writeResults(input);
  const second = writeResults(input);
  t.equal(first.baseName, 'recovery-20260101-000000');
  t.equal(second.baseName, 'recovery-20260101-000000-2');
  t.ok(existsSync(second.svgPath), 'an SVG even without latency series');
  t.throws(() => writeResults({ ...input, scenario: '../escape' }), /kebab-case/);
});
