/**
 * How long a call has waited and how long is left to its SLA deadline (30 min to assign, 24 h to serve by
 * default; the server sets `dueAt`), on the server's clock. "Nearly overdue" is the last `dueSoonShare` of
 * the SLA window (at least `dueSoonMinMs`): the desk colours those rows before they turn red.
 */
import type { Call } from '../api/types.ts';
import { t } from '../i18n/i18n.ts';

export const dueSoonShare = 0.25;
export const dueSoonMinMs = 5 * 60_000;

export type Urgency = 'overdue' | 'due-soon' | 'normal';

export interface CallTiming {
  /** Since the call was first registered (at the sending clinic, for a transferred call). */
  readonly waitedMs: number;
  /** To the SLA deadline; negative once it has passed; undefined when the call has none. */
  readonly leftMs: number | undefined;
  readonly urgency: Urgency;
}

export function firstRegisteredAt(call: Call): string {
  return call.transferredFrom?.createdAt ?? call.createdAt;
}

export function callTiming(call: Call, nowMs: number): CallTiming {
  const waitedMs = Math.max(0, nowMs - Date.parse(firstRegisteredAt(call)));
  if (call.dueAt === undefined) return { waitedMs, leftMs: undefined, urgency: call.overdue ? 'overdue' : 'normal' };
  const dueMs = Date.parse(call.dueAt);
  const leftMs = dueMs - nowMs;
  if (call.overdue || leftMs <= 0) return { waitedMs, leftMs, urgency: 'overdue' };
  const startedMs = Date.parse(call.assignedAt ?? call.createdAt);
  const windowMs = Math.max(0, dueMs - startedMs);
  return { waitedMs, leftMs, urgency: leftMs <= Math.max(dueSoonMinMs, windowMs * dueSoonShare) ? 'due-soon' : 'normal' };
}

/** `12:05` (minutes and seconds) under an hour, `3 ч 05 мин` under a day, `2 д 4 ч` beyond. */
export function formatSpan(ms: number): string {
  const totalSeconds = Math.floor(Math.abs(ms) / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${String(minutes).padStart(2, '0')}:${String(totalSeconds % 60).padStart(2, '0')}`;
  if (hours < 24) return t('span.hoursMinutes', { hours, minutes: String(minutes % 60).padStart(2, '0') });
  return t('span.daysHours', { days: Math.floor(hours / 24), hours: hours % 24 });
}

/** The red-flag reasons in words: a tag by its label, a phrase found in the text quoted. */
export function redFlagWords(flags: readonly string[], tagLabel: (tag: string) => string): string[] {
  const words = flags.map((flag) => (flag.startsWith('text:') ? t('desk.flagPhrase', { phrase: flag.slice(5) }) : tagLabel(flag)));
  return [...new Set(words)];
}
