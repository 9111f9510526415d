/**
 * V8 flags the server runs with: `npm start`, the systemd unit and the bench's server processes all pass
 * these (ops/service-unit.test.ts keeps the first two in step with this list).
 *
 * `--single-threaded-gc`: garbage collection runs on the engine's thread alone, with no helper threads. On the
 * 2-core hosts this targets, shared with other processes, the helpers compete with the work around them; in
 * every alternating pair of runs we made, the tail was shorter with the flag. Side by side at seed-peak (tmpfs,
 * 1,353 operators, 450 commands/s, 30 s each, `--server-node-args=--no-single-threaded-gc` for the runs without
 * it) the command ack p99 was 46 and 26 ms without the flag, 14 and 21 ms with it
 * (bench/results/seed-peak-tmpfs-20261122-0147* to -0150*). On a host with many idle cores parallel GC may
 * win: drop the flag there and measure.
 */
export const serverNodeFlags: readonly string[] = ['--single-threaded-gc'];

/** True when this process runs with every flag of `serverNodeFlags` (logged at start). */
export function hasServerNodeFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return serverNodeFlags.every((flag) => execArgv.includes(flag));
}
