/**
 * What every per-domain projection function gets: the open transaction of the batch, where the event sits in the
 * log, and the batch's append-only rows. Rows that record a happening (history, attempts) are keyed by
 * (position, event index) or by their natural key, so the log, not a sequence, names them, and a second copy of
 * the same event could never slip in unnoticed.
 *
 * Append-only rows (histories, call-out attempts) are never read or updated by a later event of the same batch,
 * so they are collected here and written in bulk at the end of the batch, in the same transaction: one INSERT per
 * few hundred rows instead of one round trip per event.
 */
import type { Insertable, Transaction } from 'kysely';
import type { Address } from '../../engine/index.ts';
import type { AppointmentHistoryTable, CalloutAttemptTable, Database, HomeCallHistoryTable } from './database.ts';

export interface AppendOnlyRows {
  readonly homeCallHistory: Insertable<HomeCallHistoryTable>[];
  readonly appointmentHistory: Insertable<AppointmentHistoryTable>[];
  readonly calloutAttempts: Insertable<CalloutAttemptTable>[];
}

export function emptyAppendOnlyRows(): AppendOnlyRows {
  return { homeCallHistory: [], appointmentHistory: [], calloutAttempts: [] };
}

export interface ProjectionContext {
  readonly trx: Transaction<Database>;
  readonly position: number;
  /** The event's index within its log entry (its tick's batch). */
  readonly eventIndex: number;
  readonly address: Address;
  /** Written by the projector after the batch's last event, before its position moves. */
  readonly appendOnly: AppendOnlyRows;
}

/** A JS epoch-milliseconds instant as a timestamptz parameter. */
export function timestampOf(epochMs: number): Date {
  return new Date(epochMs);
}

/** An optional instant; null for absent. */
export function optionalTimestampOf(epochMs: number | undefined): Date | null {
  return epochMs === undefined ? null : new Date(epochMs);
}

/** jsonb parameters go as JSON text: pg would turn a JS array into a Postgres array literal. */
export function jsonOf(value: unknown): string {
  return JSON.stringify(value);
}
