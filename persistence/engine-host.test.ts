import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineHost } from './engine-host.ts';
import { ManualClock, SequenceIdSource, type Command } from '../engine/index.ts';
import { demoRegionCommands } from '../engine/demo-region.ts';
import { mondayNineMs, sampleCall } from '../engine/test-harness.ts';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cd-host-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}


async function openHost(dataDir: string, clock: ManualClock, extra: Partial<Parameters<typeof EngineHost.open>[0]> = {}): Promise<EngineHost> {
  return EngineHost.open({
    dataDir,
    clock,
    ids: new SequenceIdSource(`h${clock.now().toString(36)}`),
    onFatal: (error) => { throw error; },
    onEmpty: async (host) => {
      for (const command of demoRegionCommands(4)) {
        const result = await host.submit(command, 'admin:demo');
        if (!result.ok) throw new Error(JSON.stringify(result));
      }
    },
    ...extra,
  });
}

t.test('replies wait for the log; a reopened host has the same state', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(mondayNineMs);
  const host = await openHost(dir, clock);
  const before = host.durablePosition;
  const results = await Promise.all(Array.from({ length: 50 }, () => host.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:1')));
  t.ok(results.every((r) => r.ok), 'all registered');
  t.ok(host.durablePosition > before, 'their batch is durable when the replies arrive');
  t.ok(host.durablePosition - before <= 2, 'fifty commands of one turn share one or two log entries');
  const hash = host.stateHash();
  await host.close({ snapshot: false });
  const again = await openHost(dir, new ManualClock(mondayNineMs + 60_000));
  t.equal(again.recovery.snapshotPosition, 0);
  t.ok(again.recovery.replayedEvents > 150);
  t.equal(again.stateHash(), hash, 'replay of the log gives the same state');
  await again.close();
});

t.test('snapshot + replay of the rest gives the state before the stop', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(mondayNineMs);
  const host = await openHost(dir, clock);
  const first = await host.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:1');
  t.ok(first.ok);
  const position = await host.snapshotNow();
  t.ok(position > 0);
  t.ok(host.lastSnapshotPauseMs >= 0);
  const callId = first.ok ? String(first.reply['id']) : '';
  t.ok((await host.submit({ type: 'AssignCall', callId, doctorId: 'gp1-d1', visitDate: '2026-11-23' }, 'operator:1')).ok);
  t.ok((await host.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:1')).ok);
  const hash = host.stateHash();
  await host.close({ snapshot: false });
  const again = await openHost(dir, clock);
  t.equal(again.recovery.snapshotPosition, position);
  t.equal(again.recovery.replayedEntries, 2, 'only the entries after the snapshot are replayed');
  t.equal(again.stateHash(), hash);
  t.equal(again.read.call(callId)?.status, 'assigned');
  await again.close();
});

t.test('timers arrive as commands and are durable; a seeded run survives reopen with equal hash', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(mondayNineMs);
  const host = await openHost(dir, clock, { snapshotEveryEvents: 40 });
  const commands: Command[] = [];
  for (let i = 0; i < 120; i += 1) commands.push({ type: 'RegisterCall', call: sampleCall(i % 3 === 0 ? { source: 'portal' } : {}) });
  for (const command of commands) await host.submit(command, 'operator:sim');
  clock.advance(31 * 60_000);
  await host.advanceTime();
  const overdue = host.read.clinic('gp1')?.counters.overdue ?? 0;
  t.ok(overdue > 0, `calls became overdue (${overdue})`);
  const hash = host.stateHash();
  await host.close();
  const again = await openHost(dir, clock);
  t.ok(again.recovery.snapshotPosition > 0, 'a snapshot was taken on close');
  t.equal(again.stateHash(), hash);
  t.equal(again.read.clinic('gp1')?.counters.overdue, overdue);
  await again.close();
});

t.test('commands after close are refused', async (t) => {
  const dir = tempDir(t);
  const host = await openHost(dir, new ManualClock(mondayNineMs));
  await host.close();
  await t.rejects(host.submit({ type: 'RegisterCall', call: sampleCall() }, 'x'), /closed/);
});

t.test('idempotency: the same key and body return the first result, durably; another body is a mismatch', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(mondayNineMs);
  const host = await openHost(dir, clock);
  const call = sampleCall();
  const idempotency = { key: 'partner-1:abc', requestHash: 'h1' };
  const first = await host.submit({ type: 'RegisterCall', call }, 'partner:1', { idempotency });
  const position = host.durablePosition;
  const again = await host.submit({ type: 'RegisterCall', call }, 'partner:1', { idempotency });
  t.same(again, first, 'the first result, not a 409 for a second open call');
  t.equal(host.durablePosition, position, 'a replay writes nothing');
  t.same(await host.submit({ type: 'RegisterCall', call }, 'partner:1', { idempotency: { ...idempotency, requestHash: 'h2' } }), { ok: false, idempotencyMismatch: true });
  const rejected = await host.submit({ type: 'AcceptCall', callId: 'gp1.none' }, 'partner:1', { idempotency: { key: 'partner-1:r', requestHash: 'x' } });
  t.equal(rejected.ok, false);
  await host.close({ snapshot: false });
  const reopened = await openHost(dir, clock);
  t.same(await reopened.submit({ type: 'RegisterCall', call }, 'partner:1', { idempotency }), first, 'the key survived a restart (replay)');
  await reopened.snapshotNow();
  await reopened.close({ snapshot: false });
  const fromSnapshot = await openHost(dir, clock);
  t.same(await fromSnapshot.submit({ type: 'RegisterCall', call }, 'partner:1', { idempotency }), first, 'and a snapshot');
  t.same(await fromSnapshot.submit({ type: 'AcceptCall', callId: 'gp1.none' }, 'partner:1', { idempotency: { key: 'partner-1:r', requestHash: 'x' } }), rejected, 'rejections are replayed too');
  await fromSnapshot.close();
});

t.test('closed calls leave memory after the retention and are read from the archive, also after a restart', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(mondayNineMs);
  const host = await openHost(dir, clock);
  const created = await host.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:1');
  const callId = created.ok ? String(created.reply['id']) : '';
  t.ok((await host.submit({ type: 'CancelCall', callId, reason: 'отмена' }, 'operator:1')).ok);
  t.ok(host.read.clinic('gp1')?.calls.has(callId), 'resident right after closing');
  clock.advance(9 * 86_400_000);
  await host.advanceTime();
  await host.whenDurable();
  t.notOk(host.read.clinic('gp1')?.calls.has(callId), 'gone from the actor after the retention');
  t.equal(host.read.call(callId)?.status, 'cancelled', 'found in the archive');
  t.equal(host.read.callsOfPatient({ policy: String((created.ok ? (created.reply['patient'] as { policy: string }) : { policy: '' }).policy) })[0]?.id, callId, 'patient history reaches the archive');
  await host.close();
  const again = await openHost(dir, clock);
  t.equal(again.read.call(callId)?.status, 'cancelled', 'the archive survives a restart');
  await again.close();
});

t.test('a closed call is archived in its own log entry\'s transaction: evicted at once, it is still found', async (t) => {
  const dir = tempDir(t);
  const clock = new ManualClock(mondayNineMs);
  const host = await openHost(dir, clock);
  const created = await host.submit({ type: 'RegisterCall', call: sampleCall() }, 'operator:1');
  const callId = created.ok ? String(created.reply['id']) : '';
  // The close and the eviction are decided back to back, before the close's entry is durable.
  const cancelled = host.submit({ type: 'CancelCall', callId, reason: 'отмена' }, 'operator:1');
  clock.advance(9 * 86_400_000);
  const evicted = host.advanceTime();
  t.notOk(host.read.clinic('gp1')?.calls.has(callId), 'already gone from the actor');
  t.equal(host.read.call(callId)?.status, 'cancelled', 'found while its archive write is in flight');
  t.ok((await cancelled).ok);
  await evicted;
  await host.whenDurable();
  t.equal(host.read.call(callId)?.status, 'cancelled', 'found once durable');
  const position = host.durablePosition;
  t.ok(host.archive.position() >= position - 1, 'the archive covers the entries that closed calls');
  // Stopping without waiting on anything archive-specific: the entry and its archive write committed together.
  await host.close({ snapshot: false });
  const again = await openHost(dir, clock);
  t.equal(again.read.call(callId)?.status, 'cancelled', 'after a restart with nothing to catch up from a snapshot');
  await again.close();
});
