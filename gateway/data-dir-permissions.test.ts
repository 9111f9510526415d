/**
 * The data directory of a real server process (`gateway/main.ts` as `npm start` runs it, on a fresh directory)
 * is readable by its user only: the directory 0700, data.mdb, lock.mdb and demo-tokens.json 0600; and a
 * directory an older version left world-readable is tightened at start (docs/security.md).
 */
import t from 'tap';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, stopServerProcess } from '../ops/server-process.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;

t.test('a fresh data directory: 0700, every file in it 0600', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'cd-perm-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const dataDir = join(parent, 'data');
  const server = await startServerProcess(dataDir);
  try {
    t.equal(modeOf(dataDir).toString(8), '700', 'the directory');
    const files = readdirSync(dataDir);
    t.ok(files.includes('data.mdb') && files.includes('demo-tokens.json'), files.join(', '));
    for (const name of files) t.equal((modeOf(join(dataDir, name)) & 0o077).toString(8), '0', `${name} is not readable by group or others`);
  } finally {
    await stopServerProcess(server);
  }
});

t.test('an existing world-readable directory is tightened at start', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-perm-old-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  writeFileSync(join(dataDir, 'notes.txt'), 'left by an older version');
  chmodSync(join(dataDir, 'notes.txt'), 0o644);
  chmodSync(dataDir, 0o755);
  const server = await startServerProcess(dataDir);
  try {
    t.equal(modeOf(dataDir).toString(8), '700');
    t.equal(modeOf(join(dataDir, 'notes.txt')).toString(8), '600');
    t.match(server.output(), /tightened/, 'and says so in the log');
  } finally {
    await stopServerProcess(server);
  }
});
