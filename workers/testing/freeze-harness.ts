/**
 * The freeze measurement (BENCH.md `freeze`), shared by the freeze test and bench/freeze.ts: commands keep
 * flowing into the host on this (the engine's) thread at a fixed arrival rate, measured from their intended
 * send time to their durable reply (open model, bench/lib/open-loop.ts), while the event loop's longest stall
 * is probed — once with nothing else running, once with workers building full-history reports back to back.
 * The ratio of the two is the answer to "does heavy work move the command path".
 *
 * The command mix: a new home call (a fresh patient, a rotating clinic), then the assignment of the last
 * registered one, alternating. Rejections are counted apart (they are decided and answered all the same).
 */
import type { Histogram } from 'hdr-histogram-js';
import { demoClinics, demoTimeZone } from '../../engine/demo-region.ts';
import { addDays, localParts, weekdayOf } from '../../engine/domain/local-time.ts';
import type { Command } from '../../engine/index.ts';
import type { EngineHost } from '../../persistence/engine-host.ts';
import { startEventLoopProbe, type EventLoopReport } from '../../bench/lib/event-loop-probe.ts';
import { runOpenLoop, type OpenLoopResult } from '../../bench/lib/open-loop.ts';

export const rejectionSamplesMax = 5;

export interface FlowOptions {
  readonly host: EngineHost;
  readonly nowMs: () => number;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** Heavy work started with the flow and repeated until it ends (the "with" run). */
  readonly heavy?: () => Promise<unknown>;
  /** Distinct patients for this flow, so two flows never collide on the one-open-call rule. */
  readonly patientBase: number;
}

export interface FlowResult {
  readonly flow: OpenLoopResult;
  readonly latency: Histogram;
  readonly eventLoop: EventLoopReport;
  readonly rejected: number;
  /** The first few rejection messages, so a broken command mix is seen at once. */
  readonly rejectionSamples: readonly string[];
  readonly heavyRuns: number;
  readonly heavyMs: readonly number[];
}

export async function runCommandFlow(options: FlowOptions): Promise<FlowResult> {
  const registered: string[] = [];
  let rejected = 0;
  const rejectionSamples: string[] = [];
  let heavyRuns = 0;
  const heavyMs: number[] = [];
  let running = true;
  const heavyLoop = (async () => {
    if (options.heavy === undefined) return;
    while (running) {
      const started = performance.now();
      await options.heavy();
      heavyMs.push(Math.round(performance.now() - started));
      heavyRuns += 1;
    }
  })();
  const probe = startEventLoopProbe();
  const flow = await runOpenLoop({
    ratePerSecond: options.ratePerSecond,
    durationMs: options.durationMs,
    send: async (index) => {
      const command = commandFor(index, registered, options);
      const outcome = await options.host.submit(command, 'operator:freeze');
      if (!outcome.ok) {
        rejected += 1;
        if (rejectionSamples.length < rejectionSamplesMax) rejectionSamples.push(`${command.type}: ${'rejection' in outcome ? outcome.rejection.message : 'idempotency mismatch'}`);
      }
      else if (command.type === 'RegisterCall') registered.push(String(outcome.reply['id']));
    },
  });
  const eventLoop = probe.stop();
  running = false;
  await heavyLoop;
  return { flow, latency: flow.latency, eventLoop, rejected, rejectionSamples, heavyRuns, heavyMs };
}

function commandFor(index: number, registered: string[], options: FlowOptions): Command {
  const callId = index % 2 === 1 ? registered.shift() : undefined;
  const clinic = demoClinics[index % demoClinics.length] ?? demoClinics[0];
  if (callId !== undefined) {
    const now = options.nowMs();
    const parts = localParts(now, demoTimeZone);
    // Today while the day shift runs, else the next weekday: the demo therapists work Monday to Friday.
    let visitDate = parts.minutes < 19 * 60 && parts.weekday <= 5 ? parts.date : addDays(parts.date, 1);
    while (weekdayOf(visitDate) > 5) visitDate = addDays(visitDate, 1);
    return { type: 'AssignCall', callId, doctorId: `${callId.split('.')[0] ?? 'gp1'}-d1`, visitDate };
  }
  const patient = options.patientBase + index;
  // Seven digits after the operator code: a phone is 11 digits in all.
  const phone = `+7917${String(patient % 10_000_000).padStart(7, '0')}`;
  return {
    type: 'RegisterCall',
    call: {
      source: 'call_center', kind: 'primary', clinicId: clinic?.id ?? 'gp1',
      patient: { policy: String(6600000000000000 + patient), surname: 'Потоков', name: `Пациент${patient}`, birthDate: '1977-04-05', sex: 'M', phone },
      address: { text: `г. Ярославль, ${clinic?.streets[0] ?? 'ул. Свободы'}`, house: '7', apartment: '3' },
      complaints: { text: 'температура, слабость' },
    },
  };
}
