/**
 * Issue 13, defect 10: `npm run verify -- --help` crashed with a parseArgs stack trace. The real npm script:
 * --help prints the usage and exits 0; an unknown option or a missing directory is a one-line message and
 * exit 2, never a stack trace.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const repoDir = fileURLToPath(new URL('../', import.meta.url));

async function verify(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('npm', ['run', '-s', 'verify', '--', ...args], { cwd: repoDir }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
}

t.test('npm run verify -- --help prints the usage', async (t) => {
  const help = await verify('--help');
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: npm run verify -- \[--data-dir <dir>\]/);
  t.notMatch(help.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

t.test('bad arguments and a missing directory are messages with exit 2', async (t) => {
  const unknown = await verify('--data-dri', '/tmp/x');
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /Unknown option '--data-dri'/);
  t.notMatch(unknown.stderr, /ERR_PARSE_ARGS|at .*\.ts:\d+/, 'no stack trace');
  const missing = await verify('--data-dir', '/nonexistent/cd-verify-missing');
  t.equal(missing.code, 2);
  t.match(missing.stderr, /no data directory at \/nonexistent\/cd-verify-missing/);
});
