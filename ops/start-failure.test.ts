/**
 * A start that fails after the settings were read says so and exits non-zero (3), as `npm start` runs it:
 * here the port is taken. The same path reports worker threads that cannot start (workers/worker-start.test.ts
 * pins that startServer rejects then); nothing is half-started, and no `listening` line is printed.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverNodeFlags } from '../gateway/node-flags.ts';
import { repoDir } from './server-process.ts';

t.test('a taken port: a fatal line naming the cause, exit code 3, no listening line', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const address = blocker.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-startfail-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [...serverNodeFlags, '--import', 'tsx', 'gateway/main.ts', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.equal(code, 3, 'exit code 3: the start failed');
  t.match(stderr, new RegExp(`cannot start: cannot listen on 127\\.0\\.0\\.1:${port}`));
  t.match(stdout, /"level":60.*cannot start/, 'a fatal log line');
  t.notMatch(stdout, /"event":"listening"/);
});
