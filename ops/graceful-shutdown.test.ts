/**
 * SIGTERM on a real server process under load: it exits 0 within SHUTDOWN_TIMEOUT_MS, the clean stop wrote a
 * snapshot at the last log position (so the next start replays nothing), verify finds the log and snapshots
 * consistent, and every request acknowledged with 201 — including those in flight when the signal came — is
 * there after a restart. Requests that arrived after the signal were refused (503 + Retry-After, or the
 * connection was refused), never half-applied.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyDataDir } from '../persistence/verify.ts';
import { recoveredState } from './recovered-state.ts';
import { CallLoad, demoPartnerToken, missingCalls, startServerProcess, stopServerProcess } from './server-process.ts';

const loadConnections = 16;
const loadBeforeSignalMs = 1_500;

t.test('SIGTERM under load: exit 0, a final snapshot, every acknowledged call kept', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cd-sigterm-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServerProcess(dataDir, { SHUTDOWN_TIMEOUT_MS: '30000' });
  const token = demoPartnerToken(dataDir);
  const load = new CallLoad(server.base, token, loadConnections, 0);
  await new Promise((resolve) => setTimeout(resolve, loadBeforeSignalMs));
  const acknowledgedBeforeSignal = load.acknowledged.length;
  const exitCode = await stopServerProcess(server, 'SIGTERM');
  await load.finished();
  t.equal(exitCode, 0, 'the clean stop exits 0');
  t.ok(acknowledgedBeforeSignal > 0, `${acknowledgedBeforeSignal} calls acknowledged before the signal, ${load.acknowledged.length} in all`);
  t.comment(`after the signal: ${load.refusedWith503.length} answered 503, ${load.failures} refused or reset`);
  for (const retryAfter of load.refusedWith503) t.ok(retryAfter > 0, '503 carries Retry-After');
  t.match(server.output(), /"msg":"stopped"/, 'the log says it stopped');

  const report = verifyDataDir(dataDir);
  t.same(report.problems, [], 'verify finds no problem');
  t.ok(report.snapshotsChecked >= 1, 'a snapshot was written and checked');
  const recovered = await recoveredState(dataDir);
  t.equal(recovered.snapshotPosition, recovered.logPosition, 'the final snapshot covers the whole log: the next start replays nothing');

  const restarted = await startServerProcess(dataDir);
  t.teardown(() => void stopServerProcess(restarted, 'SIGKILL'));
  t.same(await missingCalls(restarted.base, token, load.acknowledged), [], 'every acknowledged call is there after the restart');
  t.equal(await stopServerProcess(restarted, 'SIGTERM'), 0, 'an idle server stops cleanly too');
});
