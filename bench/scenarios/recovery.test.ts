import t from 'tap';
import { runSmoke } from './smoke-kit.ts';

t.test('recovery at its small size: generate, start, kill -9, restart, nothing acknowledged lost', async (t) => {
  const { figures } = await runSmoke(t, 'recovery');
  const restart = figures['restartAfterKill9'] as { firstCommandAcked: boolean; recoveryReport: { replayedEntries: number } | null };
  t.equal(restart.firstCommandAcked, true, 'a command was acknowledged after the restart');
  t.ok((restart.recoveryReport?.replayedEntries ?? 0) > 0, 'the restart replayed the log tail written after the snapshot');
  const acknowledged = figures['acknowledged'] as { tail: number; missingAfterRestart: number };
  t.ok(acknowledged.tail > 0, 'commands were acknowledged before the kill');
  t.equal(acknowledged.missingAfterRestart, 0, 'every acknowledged command survived');
});
