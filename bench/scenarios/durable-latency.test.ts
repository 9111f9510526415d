import t from 'tap';
import { runSmoke } from './smoke-kit.ts';

t.test('durable-latency at its small size: floors, ours over HTTP and WebSocket with stage breakdowns, the peer', async (t) => {
  const { figures } = await runSmoke(t, 'durable-latency', ['--warmup-seconds', '0']);
  const rows = figures['rows'] as ReadonlyArray<{ system: string; transport: string; rate: number; answers: { [kind: string]: number };
    counts: { sent: number; answered: number; failedError: number; timedOut: number; inFlightAtEnd: number }; stages: { ticks: number; logWrites: number } | null }>;
  for (const transport of ['http', 'ws']) {
    for (const rate of [100, 400]) {
      const row = rows.find((candidate) => candidate.system === 'ours' && candidate.transport === transport && candidate.rate === rate);
      t.ok(row !== undefined && row.counts.answered > 0, `ours over ${transport} at ${rate}/s answered`);
      // Counts only, never a timing (BENCH.md rule 5): what was sent is accounted for, and the server refused nothing
      // (failures may be the generator's own per-session bound on a slow machine, counted as not-sent).
      const counts = row?.counts;
      t.equal((counts?.answered ?? 0) + (counts?.failedError ?? 0) + (counts?.timedOut ?? 0) + (counts?.inFlightAtEnd ?? 0), counts?.sent, `ours over ${transport} at ${rate}/s: every send accounted for`);
      const refused = Object.keys(row?.answers ?? {}).filter((kind) => kind.startsWith('error:') || /^5\d\d$/.test(kind));
      t.same(refused, [], `ours over ${transport} at ${rate}/s: no server error`);
      t.ok((row?.stages?.ticks ?? 0) > 0 && (row?.stages?.logWrites ?? 0) > 0, `ours over ${transport} at ${rate}/s: the stage histograms counted ticks and log writes`);
    }
  }
  t.ok(rows.some((row) => row.system === 'pg peer' && row.counts.answered > 0), 'the pg peer answered');
  t.type(figures['disk floors'], 'object', 'the floors were measured in the same run');
  t.type(figures['targets'], 'object', 'the targets were checked');
});
