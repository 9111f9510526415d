// CPU of a group of processes over an interval, read from /proc: the conventional peer's cost is its Node
// process *and* its database backends. Either the given pids (the peer's own backends, found by their
// application_name in pg_stat_activity) or every process with a command name (all `postgres` processes — on a
// shared machine that includes other users' work, which the caller must say when reporting it).
// Bounds: at most `processesScannedMax` /proc entries per sample.

import { readdirSync, readFileSync } from 'node:fs';
import { readProcessSample } from '../lib/process-stats.ts';

export const processesScannedMax = 100_000;

function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').slice(0, processesScannedMax)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return pids;
}

function cpuMsOf(pids: readonly number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      const sample = readProcessSample(pid);
      cpu.set(pid, sample.cpuUserMs + sample.cpuSystemMs);
    } catch {
      // Exited: its CPU in the window is lost, which only under-reports the peer.
    }
  }
  return cpu;
}

export interface ProcessGroupUsage {
  readonly name: string;
  readonly processes: number;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly cpuPercent: number;
}

export interface ProcessGroupMeter {
  stop(): ProcessGroupUsage;
}

function startMeter(name: string, list: () => readonly number[]): ProcessGroupMeter {
  const startedMs = performance.now();
  const before = cpuMsOf(list());
  return {
    stop(): ProcessGroupUsage {
      const after = cpuMsOf(list());
      let cpuMs = 0;
      for (const [pid, total] of after) cpuMs += total - (before.get(pid) ?? 0);
      const wallMs = performance.now() - startedMs;
      return { name, processes: after.size, cpuMs: Math.round(cpuMs), wallMs: Math.round(wallMs), cpuPercent: Math.round((cpuMs / wallMs) * 1000) / 10 };
    },
  };
}

/** Starts measuring; `stop()` returns the CPU used since by the processes named `name` (new ones count in full). */
export function startNamedProcessesMeter(name: string): ProcessGroupMeter {
  return startMeter(name, () => pidsNamed(name));
}

/** Starts measuring the given processes (one that exits before `stop()` is left out). */
export function startPidsMeter(name: string, pids: readonly number[]): ProcessGroupMeter {
  return startMeter(name, () => pids);
}
