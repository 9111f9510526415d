// A WebSocket command generator process (issue 15's durable-latency scenario): `ws-open` opens `connections`
// operator sessions (each subscribed to its clinic's board, as the desk is), then sends RegisterCall commands
// round robin over them at a fixed arrival rate (open model, latency from the intended send time, BENCH.md rule
// 2) and answers with the histogram, the counts, the outcomes and this process's CPU. A command refused by the
// engine (a rule, 409-like) counts as answered; a gateway error frame or a closed socket counts as failed.
//
// Bounds: `sessionsMax` sessions; each session at most `sessionCommandsInFlightMax` commands in flight (a
// command beyond it fails here, counted, rather than exceed the server's per-socket bound).

import { encodeHistogram } from '../lib/histogram.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { startProcessMeter } from '../lib/process-stats.ts';
import { serveWorker } from './child-worker.ts';
import type { WorkerMessage } from './child-worker.ts';
import { newSessionCounters, OperatorSession, sessionCommandsInFlightMax } from './operator-session.ts';
import { PartnerRequests } from './partner-endpoints.ts';

export const sessionsMax = 1_000;

interface OperatorOfRun {
  readonly clinicId: string;
  readonly token: string;
}

async function wsOpenLoop(message: WorkerMessage): Promise<WorkerMessage> {
  const operators = message['operators'] as readonly OperatorOfRun[];
  if (operators.length === 0 || operators.length > sessionsMax) throw new Error(`ws-open: 1..${sessionsMax} operators, got ${operators.length}`);
  const counters = newSessionCounters();
  const url = String(message['wsUrl']);
  const sessions = operators.map((operator, index) => new OperatorSession(url, operator.token, index, operator.clinicId, counters, () => undefined));
  await Promise.all(sessions.map((session, index) => session.start(`clinic/${operators[index]?.clinicId ?? ''}`)));
  const requests = operators.map((operator) => new PartnerRequests({ clinicIds: [operator.clinicId], searchPolicies: [], slotIds: [], appointmentIds: [], tag: Number(message['tag'] ?? 40) }));
  const inFlight = sessions.map(() => 0);
  const outcomes = new Map<string, number>();
  const bump = (key: string): void => {
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  };
  const meter = startProcessMeter('self');
  try {
    const result = await runOpenLoop({
      ratePerSecond: Number(message['ratePerSecond']), durationMs: Number(message['seconds']) * 1000, timeoutMs: Number(message['timeoutMs']),
      sendWithCallback: (index, done) => {
        const which = index % sessions.length;
        const session = sessions[which];
        const request = requests[which];
        if (session === undefined || request === undefined || !session.isOpen || (inFlight[which] ?? 0) >= sessionCommandsInFlightMax) {
          bump('not-sent');
          done(new Error('session closed or at its in-flight bound'));
          return;
        }
        const call: unknown = JSON.parse(request.createCall().body ?? '{}');
        inFlight[which] = (inFlight[which] ?? 0) + 1;
        session.command({ type: 'RegisterCall', call }, (outcome) => {
          inFlight[which] = (inFlight[which] ?? 1) - 1;
          bump(outcome.kind === 'error' ? `error:${outcome.code}` : outcome.kind);
          if (outcome.kind === 'error') done(new Error(outcome.code));
          else done();
        });
      },
    });
    return {
      type: 'ws-opened', counts: result.counts, histogramBase64: encodeHistogram(result.latency), sendLagMaxMs: result.sendLagMaxMs,
      outcomes: Object.fromEntries(outcomes), usage: meter.stop(),
    };
  } finally {
    for (const session of sessions) session.close();
  }
}

serveWorker(async (message) => {
  if (message.type === 'ws-open') return wsOpenLoop(message);
  throw new Error(`ws command worker: unknown request ${message.type}`);
});
