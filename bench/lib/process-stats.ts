// CPU and memory of a process over an interval (BENCH.md rules 3 and 6: the server's CPU and RSS, and the
// load generator's CPU too, since it shares the machine).
//
// Another process is read from /proc/<pid>/stat (user and system CPU in clock ticks) and /proc/<pid>/status
// (VmRSS, VmHWM); this process from process.cpuUsage() and process.memoryUsage(). A meter samples RSS every
// `sampleIntervalMs` to catch the peak within the interval; it holds one timer and no growing state. When
// the watched process exits during the interval, the meter keeps its last sample and says so.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const defaultSampleIntervalMs = 250;
export const sampleIntervalMsMin = 10;
/** Linux's USER_HZ on every mainstream build; `getconf CLK_TCK` is asked once in case this one differs. */
const clockTicksPerSecondDefault = 100;

export interface ProcessSample {
  readonly pid: number;
  readonly atMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly rssBytes: number;
  /** The kernel's high-water mark of RSS since the process started. */
  readonly rssPeakBytes: number;
}

export interface ProcessUsage {
  readonly pid: number;
  readonly wallMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  /** (user + system) / wall, in percent of one core: 200 is both cores of this machine busy. */
  readonly cpuPercent: number;
  readonly rssStartBytes: number;
  readonly rssEndBytes: number;
  /** Largest RSS seen by the meter's samples during the interval. */
  readonly rssMaxBytes: number;
  readonly rssPeakBytes: number;
  readonly samples: number;
  /** True when the process went away before the meter stopped: figures end at the last sample. */
  readonly exited: boolean;
}

export interface ProcessMeter {
  readonly pid: number;
  stop(): ProcessUsage;
}

let clockTicksPerSecond: number | undefined;

function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      const parsed = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10);
      clockTicksPerSecond = parsed > 0 ? parsed : clockTicksPerSecondDefault;
    } catch {
      clockTicksPerSecond = clockTicksPerSecondDefault;
    }
  }
  return clockTicksPerSecond;
}

function statusKilobytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return match?.[1] === undefined ? 0 : Number.parseInt(match[1], 10) * 1024;
}

/** Reads one sample of another process (or this one) from /proc; throws when the process does not exist. */
export function readProcessSample(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces or parentheses: parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, field 3 (state) is index 0, so utime (field 14) is index 11 and stime (15) index 12.
  const utimeTicks = Number.parseInt(fields[11] ?? '', 10);
  const stimeTicks = Number.parseInt(fields[12] ?? '', 10);
  if (!Number.isFinite(utimeTicks) || !Number.isFinite(stimeTicks)) {
    throw new Error(`/proc/${pid}/stat: cannot parse utime/stime from "${stat.slice(0, 200)}"`);
  }
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const msPerTick = 1000 / ticksPerSecond();
  return {
    pid,
    atMs: performance.now(),
    cpuUserMs: utimeTicks * msPerTick,
    cpuSystemMs: stimeTicks * msPerTick,
    rssBytes: statusKilobytes(status, 'VmRSS'),
    rssPeakBytes: statusKilobytes(status, 'VmHWM'),
  };
}

/** One sample of the current process, at microsecond CPU resolution (finer than /proc's ticks). */
export function readSelfSample(): ProcessSample {
  const cpu = process.cpuUsage();
  return {
    pid: process.pid,
    atMs: performance.now(),
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssBytes: process.memoryUsage.rss(),
    rssPeakBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function tryRead(pid: number | 'self'): ProcessSample | undefined {
  if (pid === 'self') return readSelfSample();
  try {
    return readProcessSample(pid);
  } catch {
    return undefined;
  }
}

/** The usage between two samples of the same process. */
export function usageBetween(first: ProcessSample, last: ProcessSample, rssMaxBytes: number, samples: number,
  exited: boolean): ProcessUsage {
  // Rounded to the microsecond: finer digits are float noise, not measurement.
  const round = (ms: number): number => Math.round(ms * 1000) / 1000;
  const wallMs = round(last.atMs - first.atMs);
  const cpuUserMs = round(last.cpuUserMs - first.cpuUserMs);
  const cpuSystemMs = round(last.cpuSystemMs - first.cpuSystemMs);
  return {
    pid: first.pid,
    wallMs,
    cpuUserMs,
    cpuSystemMs,
    cpuPercent: wallMs > 0 ? Math.round(((cpuUserMs + cpuSystemMs) / wallMs) * 1000) / 10 : 0,
    rssStartBytes: first.rssBytes,
    rssEndBytes: last.rssBytes,
    rssMaxBytes: Math.max(rssMaxBytes, first.rssBytes, last.rssBytes),
    rssPeakBytes: last.rssPeakBytes,
    samples,
    exited,
  };
}

/**
 * Starts measuring a process ('self' for this one). `stop()` returns the CPU used and the RSS seen since the
 * start; call it once (a second call returns the same figures).
 */
export function startProcessMeter(pid: number | 'self',
  options: { readonly sampleIntervalMs?: number } = {}): ProcessMeter {
  const sampleIntervalMs = Math.max(sampleIntervalMsMin, options.sampleIntervalMs ?? defaultSampleIntervalMs);
  const first = tryRead(pid);
  if (first === undefined) throw new Error(`process meter: no process ${pid} (cannot read /proc/${pid})`);
  let last = first;
  let rssMaxBytes = first.rssBytes;
  let samples = 1;
  let exited = false;
  let result: ProcessUsage | undefined;

  const sample = (): void => {
    const current = tryRead(pid);
    if (current === undefined) {
      exited = true;
      clearInterval(timer);
      return;
    }
    last = current;
    samples += 1;
    rssMaxBytes = Math.max(rssMaxBytes, current.rssBytes);
  };
  const timer = setInterval(sample, sampleIntervalMs);
  // The meter must never keep a finished bench process alive.
  timer.unref();

  return {
    pid: first.pid,
    stop(): ProcessUsage {
      if (result !== undefined) return result;
      clearInterval(timer);
      if (!exited) sample();
      result = usageBetween(first, last, rssMaxBytes, samples, exited);
      return result;
    },
  };
}
