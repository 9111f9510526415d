import t from 'tap';
import { runSmoke } from './smoke-kit.ts';

t.test('freeze (the stand-in) at its small size: command p99 quiet and under heavy reads', async (t) => {
  const { figures, json } = await runSmoke(t, 'freeze', ['--fallback']);
  t.equal(figures['standIn'], true, 'labelled as the stand-in');
  t.type(figures['commandP99RatioHeavyOverQuiet'], 'number', 'the ratio is reported');
  t.ok(((figures['readLoad'] as { requestsTotal: number }).requestsTotal) > 0, 'the heavy reads ran');
  t.ok(((figures['verifyReplays'] as { runs: number }).runs) >= 1, 'at least one verify replay ran');
  t.match(String((json['notes'] as string[])[0]), /STAND-IN/, 'the notes say so');
});
