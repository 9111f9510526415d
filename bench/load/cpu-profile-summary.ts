// Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and ranks functions by self time: where the server
// under test spent its CPU. Self time is the share of samples whose top frame is the function, times the
// profile's duration; frames of one function (same name, file and line) are added up. `(idle)` is the time
// the thread waited for I/O: shown, and left out of the "busy" percentages.
// Bounds: `profileBytesMax` per file; the top `topFunctionsMax` rows at most.

import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const profileBytesMax = 2 * 1024 * 1024 * 1024;
export const topFunctionsMax = 200;

const repositoryPrefix = fileURLToPath(new URL('../../', import.meta.url));

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

export interface SelfTimeRow {
  readonly name: string;
  readonly location: string;
  readonly selfMs: number;
  /** Of the busy (non-idle) time. */
  readonly busyPercent: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly durationMs: number;
  readonly idleMs: number;
  readonly busyMs: number;
  readonly samples: number;
  readonly top: readonly SelfTimeRow[];
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && Array.isArray(Reflect.get(value, 'nodes')) &&
    typeof Reflect.get(value, 'startTime') === 'number' && typeof Reflect.get(value, 'endTime') === 'number';
}

function locationOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return '';
  const path = frame.url.replace(/^file:\/\//, '').replace(repositoryPrefix, '');
  return `${path}:${frame.lineNumber + 1}`;
}

export function summarizeCpuProfile(file: string, topCount = 25): ProfileSummary {
  if (statSync(file).size > profileBytesMax) throw new Error(`${file} is larger than ${profileBytesMax} bytes`);
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const hits = new Map<number, number>();
  if (parsed.samples !== undefined && parsed.samples.length > 0) {
    for (const id of parsed.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  } else {
    for (const node of parsed.nodes) hits.set(node.id, node.hitCount ?? 0);
  }
  const samples = [...hits.values()].reduce((sum, count) => sum + count, 0);
  const durationMs = (parsed.endTime - parsed.startTime) / 1000;
  const msPerSample = samples > 0 ? durationMs / samples : 0;
  const byFunction = new Map<string, { name: string; location: string; samples: number }>();
  let idleSamples = 0;
  for (const node of parsed.nodes) {
    const count = hits.get(node.id) ?? 0;
    if (count === 0) continue;
    const name = node.callFrame.functionName === '' ? '(anonymous)' : node.callFrame.functionName;
    if (name === '(idle)') {
      idleSamples += count;
      continue;
    }
    const location = locationOf(node.callFrame);
    const key = `${name}@${location}`;
    const entry = byFunction.get(key) ?? { name, location, samples: 0 };
    entry.samples += count;
    byFunction.set(key, entry);
  }
  const busySamples = samples - idleSamples;
  const top = [...byFunction.values()].sort((a, b) => b.samples - a.samples).slice(0, Math.min(topCount, topFunctionsMax)).map((entry) => ({
    name: entry.name, location: entry.location, selfMs: Math.round(entry.samples * msPerSample * 10) / 10,
    busyPercent: busySamples > 0 ? Math.round((entry.samples / busySamples) * 1000) / 10 : 0,
  }));
  return {
    file, durationMs: Math.round(durationMs), idleMs: Math.round(idleSamples * msPerSample), busyMs: Math.round(busySamples * msPerSample), samples, top,
  };
}

export function renderProfileSummary(summary: ProfileSummary): string {
  const lines = [
    `# CPU profile: ${summary.file.replace(repositoryPrefix, '')}`, '',
    `${summary.durationMs} ms profiled, ${summary.busyMs} ms busy, ${summary.idleMs} ms idle (${summary.samples} samples)`, '',
    '| # | function | where | self ms | % of busy |', '|---|---|---|---|---|',
  ];
  summary.top.forEach((row, index) => lines.push(`| ${index + 1} | \`${row.name}\` | ${row.location} | ${row.selfMs} | ${row.busyPercent} |`));
  return `${lines.join('\n')}\n`;
}
