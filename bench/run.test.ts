import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { splitOut } from './run.ts';
import { ScenarioArgs, ScenarioUsageError } from './scenarios/scenario-kit.ts';
import { scenarioOptions, scenarios } from './scenarios/scenario-registry.ts';

const repositoryDirectory = fileURLToPath(new URL('../', import.meta.url));

t.test('every scenario of BENCH.md is registered', async (t) => {
  t.same([...scenarios.keys()].sort(), ['booking-storm', 'durable-latency', 'freeze', 'operators-19k', 'partner-http', 'recovery', 'seed-peak']);
});

t.test('options: --name value, --name=value, flags, sizes and bounds', async (t) => {
  const spec = { numbers: ['rate', 'seconds', 'clients'], flags: ['tmpfs', 'other'] };
  const args = new ScenarioArgs(['--size', 'small', '--rate=50', '--tmpfs', '--clients', '3'], spec);
  t.equal(args.size, 'small');
  t.equal(args.number('rate', { small: 1, full: 2 }, { min: 1, max: 100 }), 50);
  t.equal(args.number('seconds', { small: 3, full: 60 }, { min: 1, max: 100 }), 3, 'the small default');
  t.equal(args.flag('tmpfs'), true);
  t.equal(args.flag('other'), false);
  t.throws(() => args.number('clients', { small: 1, full: 1 }, { min: 5, max: 10 }), /--clients must be a number in \[5, 10\]/);
  t.throws(() => new ScenarioArgs(['stray'], spec), ScenarioUsageError);
  t.equal(new ScenarioArgs([], spec).size, 'full', 'full by default');
});

t.test('options are parsed strictly: a misspelling is a usage error, not a run with the default (issue 13, defect 10)', async (t) => {
  const spec = scenarioOptions.get('booking-storm') ?? {};
  t.throws(() => new ScenarioArgs(['--clinets', '3'], spec), /Unknown option '--clinets'.*this scenario takes .*--clients <value>/);
  t.throws(() => new ScenarioArgs(['--tmpfs=yes'], spec), ScenarioUsageError, 'a flag takes no value');
  t.throws(() => new ScenarioArgs(['--clients'], spec), ScenarioUsageError, 'an option needs its value');
  t.throws(() => new ScenarioArgs(['--clients', ''], spec).number('clients', { small: 1, full: 1 }, { min: 1, max: 10 }), ScenarioUsageError, 'an empty number is refused');
  t.throws(() => new ScenarioArgs([], spec).number('undeclared', { small: 1, full: 1 }, { min: 1, max: 10 }), /not declared/, 'reading an undeclared option is a bug');
  t.same([...scenarioOptions.keys()].sort(), [...scenarios.keys()].sort(), 'every scenario declares its options');
  const misspelled = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'recovery', '--size', 'small', '--cals', '5'], { cwd: repositoryDirectory, encoding: 'utf8', timeout: 60_000 });
  t.equal(misspelled.status, 2, 'npm run bench exits 2');
  t.match(misspelled.stderr, /Unknown option '--cals'/);
  t.same(splitOut(['--out', '/tmp/x', '--seconds', '2']), { outputDir: '/tmp/x', rest: ['--seconds', '2'] });
});

t.test('the CLI: usage errors exit 2, a small run writes its files where --out says', async (t) => {
  const unknown = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'no-such-scenario'], { cwd: repositoryDirectory, encoding: 'utf8' });
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /unknown scenario/);
  const outputDir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  t.teardown(() => rmSync(outputDir, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'recovery', '--size', 'small', '--out', outputDir],
    { cwd: repositoryDirectory, encoding: 'utf8', timeout: 120_000 });
  t.equal(run.status, 0, run.stderr.slice(-2_000));
  t.match(run.stdout, /serving again/);
  t.ok(readdirSync(outputDir).some((name) => /^recovery-\d{8}-\d{6}\.json$/.test(name)), 'the JSON result is in --out');
});
