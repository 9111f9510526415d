/**
 * Secondary indexes over a clinic's calls for the operator desktop's filters, kept incrementally as calls
 * change, so a filtered list never scans the clinic's history. Open calls are indexed on every dimension;
 * resident closed calls (their status is final) only in the order they closed, for "latest first" lists.
 */
import type { CallStatus, HomeCall } from './home-call.ts';
import { openCallStatuses } from './home-call.ts';

export type CallDimension = 'status' | 'kind' | 'doctor' | 'age' | 'subdivision';

export class CallIndex {
  readonly #sets = new Map<string, Set<string>>();
  readonly #closed = new Map<CallStatus, Set<string>>();

  add(call: HomeCall): void {
    if (!openCallStatuses.has(call.status)) {
      let set = this.#closed.get(call.status);
      if (set === undefined) {
        set = new Set();
        this.#closed.set(call.status, set);
      }
      set.add(call.id);
      return;
    }
    for (const key of keysOf(call)) {
      let set = this.#sets.get(key);
      if (set === undefined) {
        set = new Set();
        this.#sets.set(key, set);
      }
      set.add(call.id);
    }
  }

  /** Removes an open call before it changes; closed calls never change again and stay. */
  remove(call: HomeCall): void {
    if (!openCallStatuses.has(call.status)) return;
    for (const key of keysOf(call)) {
      const set = this.#sets.get(key);
      if (set === undefined) continue;
      set.delete(call.id);
      if (set.size === 0) this.#sets.delete(key);
    }
  }

  /** Open call ids under one dimension's value. */
  open(dimension: CallDimension, value: string): ReadonlySet<string> {
    return this.#sets.get(`${dimension}:${value}`) ?? emptySet;
  }

  /** Closed call ids of a status still resident, oldest closed first (bounded by the retention). */
  closed(status: CallStatus): ReadonlySet<string> {
    return this.#closed.get(status) ?? emptySet;
  }

  /** A closed call leaves the actor's memory (it stays in the call archive). */
  evict(call: HomeCall): void {
    this.#closed.get(call.status)?.delete(call.id);
  }
}

const emptySet: ReadonlySet<string> = new Set();

function keysOf(call: HomeCall): string[] {
  const keys = [`status:${call.status}`, `kind:${call.kind}`, `age:${call.patient.ageCategory}`];
  if (call.doctorId !== undefined) keys.push(`doctor:${call.doctorId}`);
  if (call.subdivisionId !== undefined) keys.push(`subdivision:${call.subdivisionId}`);
  return keys;
}
