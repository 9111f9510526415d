/**
 * Secondary indexes over a clinic's calls for the operator desktop's filters, kept incrementally as calls
 * change, so a filtered list never scans the clinic's history. Open calls are indexed on every dimension;
 * resident closed calls (their status is final) only in the order they closed, for "latest first" lists.
 */
import type { CallStatus, HomeCall } from './home-call.ts';
import { openCallStatuses } from './home-call.ts';

export type CallDimension = 'status' | 'kind' | 'doctor' | 'age' | 'subdivision';

export class CallIndex {
  /** Open call ids per dimension, then per value: no key string is built per call change. */
  readonly #status = new Map<string, Set<string>>();
  readonly #kind = new Map<string, Set<string>>();
  readonly #doctor = new Map<string, Set<string>>();
  readonly #age = new Map<string, Set<string>>();
  readonly #subdivision = new Map<string, Set<string>>();
  readonly #closed = new Map<CallStatus, Set<string>>();

  add(call: HomeCall): void {
    if (!openCallStatuses.has(call.status)) {
      addTo(this.#closed, call.status, call.id);
      return;
    }
    addTo(this.#status, call.status, call.id);
    addTo(this.#kind, call.kind, call.id);
    addTo(this.#age, call.patient.ageCategory, call.id);
    if (call.doctorId !== undefined) addTo(this.#doctor, call.doctorId, call.id);
    if (call.subdivisionId !== undefined) addTo(this.#subdivision, call.subdivisionId, call.id);
  }

  /** Removes an open call before it changes; closed calls never change again and stay. */
  remove(call: HomeCall): void {
    if (!openCallStatuses.has(call.status)) return;
    this.#removeOpen(call, call.status, call.doctorId);
  }

  /**
   * After a call changed from `fromStatus` (and doctor `fromDoctorId`): only the dimensions that changed are
   * touched — kind, age and subdivision never change for a call. Lists sort what they read, so the order
   * inside a set is not part of the answer.
   */
  changed(call: HomeCall, fromStatus: CallStatus, fromDoctorId: string | undefined): void {
    if (!openCallStatuses.has(fromStatus)) {
      this.add(call);
      return;
    }
    if (!openCallStatuses.has(call.status)) {
      this.#removeOpen(call, fromStatus, fromDoctorId);
      addTo(this.#closed, call.status, call.id);
      return;
    }
    if (fromStatus !== call.status) {
      removeFrom(this.#status, fromStatus, call.id);
      addTo(this.#status, call.status, call.id);
    }
    if (fromDoctorId !== call.doctorId) {
      if (fromDoctorId !== undefined) removeFrom(this.#doctor, fromDoctorId, call.id);
      if (call.doctorId !== undefined) addTo(this.#doctor, call.doctorId, call.id);
    }
  }

  /** Open call ids under one dimension's value. */
  open(dimension: CallDimension, value: string): ReadonlySet<string> {
    return this.#dimension(dimension).get(value) ?? emptySet;
  }

  /** Closed call ids of a status still resident, oldest closed first (bounded by the retention). */
  closed(status: CallStatus): ReadonlySet<string> {
    return this.#closed.get(status) ?? emptySet;
  }

  /** A closed call leaves the actor's memory (it stays in the call archive). */
  evict(call: HomeCall): void {
    this.#closed.get(call.status)?.delete(call.id);
  }

  #removeOpen(call: HomeCall, status: CallStatus, doctorId: string | undefined): void {
    removeFrom(this.#status, status, call.id);
    removeFrom(this.#kind, call.kind, call.id);
    removeFrom(this.#age, call.patient.ageCategory, call.id);
    if (doctorId !== undefined) removeFrom(this.#doctor, doctorId, call.id);
    if (call.subdivisionId !== undefined) removeFrom(this.#subdivision, call.subdivisionId, call.id);
  }

  #dimension(dimension: CallDimension): Map<string, Set<string>> {
    switch (dimension) {
      case 'status':
        return this.#status;
      case 'kind':
        return this.#kind;
      case 'doctor':
        return this.#doctor;
      case 'age':
        return this.#age;
      case 'subdivision':
        return this.#subdivision;
    }
  }
}

const emptySet: ReadonlySet<string> = new Set();

function addTo<K>(sets: Map<K, Set<string>>, value: K, id: string): void {
  let set = sets.get(value);
  if (set === undefined) {
    set = new Set();
    sets.set(value, set);
  }
  set.add(id);
}

function removeFrom<K>(sets: Map<K, Set<string>>, value: K, id: string): void {
  const set = sets.get(value);
  if (set === undefined) return;
  set.delete(id);
  if (set.size === 0) sets.delete(value);
}
