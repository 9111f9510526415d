/**
 * Command line for restore-from-postgres.ts:
 *
 *   DATABASE_URL=postgres://… node --import tsx persistence/pg/restore-cli.ts --from-postgres --data-dir <dir>
 *
 * Options: `--database-url <url>` instead of DATABASE_URL, `--schema <name>` when the projection is not in the
 * connection's default schema. Prints a progress bar per phase (snapshot actors, then log entries) on stderr and
 * a summary on stdout. Exit codes: 0 restored, 1 failed (message on stderr), 2 bad usage.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { restoreFromPostgres, type RestoreProgress } from './restore-from-postgres.ts';

const usage =
  'usage: node --import tsx persistence/pg/restore-cli.ts --from-postgres --data-dir <dir> ' +
  '[--database-url <url>] [--schema <name>]\n' +
  'Writes a fresh LMDB data directory (newest archived snapshot + the log after it) from the Postgres archive.';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'from-postgres': { type: 'boolean' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        schema: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`, 2);
  }
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (values['from-postgres'] !== true) fail(`--from-postgres is required (the only source today)\n${usage}`, 2);
  const dataDir = values['data-dir'];
  if (dataDir === undefined || dataDir === '') fail(`--data-dir is required\n${usage}`, 2);
  const databaseUrl = values['database-url'] ?? process.env['DATABASE_URL'];
  if (databaseUrl === undefined || databaseUrl === '') fail(`set DATABASE_URL or pass --database-url\n${usage}`, 2);

  const bars = new cliProgress.MultiBar(
    { format: '{phase} [{bar}] {value}/{total} {percentage}% | {duration_formatted}', noTTYOutput: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const phaseBars = new Map<RestoreProgress['phase'], cliProgress.SingleBar>();
  const onProgress = (progress: RestoreProgress): void => {
    let bar = phaseBars.get(progress.phase);
    if (bar === undefined) {
      bar = bars.create(progress.total, 0, { phase: progress.phase === 'snapshot' ? 'snapshot actors' : 'log entries    ' });
      phaseBars.set(progress.phase, bar);
    }
    bar.update(progress.done);
  };
  try {
    const result = await restoreFromPostgres({
      databaseUrl,
      dataDir,
      onProgress,
      ...(values.schema === undefined ? {} : { schema: values.schema }),
    });
    bars.stop();
    const snapshot = result.snapshotPosition === undefined ? 'no snapshot' : `snapshot at ${result.snapshotPosition} (${result.actorCount} actors)`;
    process.stdout.write(
      `restored ${dataDir}: ${snapshot}, log ${result.firstLogPosition}..${result.lastPosition} (${result.entriesRestored} entries)\n`,
    );
  } catch (error) {
    bars.stop();
    fail(`restore failed: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
}

await main();
