/**
 * V8 flags the server runs with: `npm start`, the systemd unit and the bench's server processes all pass
 * these (ops/service-unit.test.ts keeps the first two in step with this list).
 *
 * `--single-threaded-gc`: the young-generation scavenges run on the engine's thread alone instead of waiting
 * for helper threads. On the 2-core hosts this targets, shared with other processes, the helpers are often not
 * scheduled and a scavenge that should take 1–3 ms stalls the engine for 10–25 ms. Side by side at seed-peak
 * (tmpfs, 1,353 operators, 450 commands/s, two runs each) the command ack p99 went from 26 and 23 ms to 15
 * and 7.6 ms (bench/results/README.md). On a host with many idle cores, parallel GC may win: drop the flag
 * there and measure.
 */
export const serverNodeFlags: readonly string[] = ['--single-threaded-gc'];

/** True when this process runs with every flag of `serverNodeFlags` (logged at start). */
export function hasServerNodeFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return serverNodeFlags.every((flag) => execArgv.includes(flag));
}
