/**
 * The history generator's agenda: actions by simulated time, first come first served among equal times (a
 * binary heap with an insertion sequence as the tie-break), so a seeded run is reproducible.
 */
import type { Command, Reply } from '../../engine/index.ts';

export interface Action {
  readonly at: number;
  /** The command to decide now, or undefined to skip (it may schedule more actions itself). */
  readonly run: () => Command | undefined;
  /** Called with the reply when the command was accepted. */
  readonly then?: ((reply: Reply) => void) | undefined;
}

interface Entry {
  readonly action: Action;
  readonly sequence: number;
}

export class ActionQueue {
  readonly #heap: Entry[] = [];
  #sequence = 0;

  get size(): number {
    return this.#heap.length;
  }

  push(action: Action): void {
    this.#heap.push({ action, sequence: (this.#sequence += 1) });
    let index = this.#heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(this.#heap[index] as Entry, this.#heap[parent] as Entry)) break;
      this.#swap(index, parent);
      index = parent;
    }
  }

  /** The earliest action due before `endMs`, removed; undefined when there is none. */
  popBefore(endMs: number): Action | undefined {
    const top = this.#heap[0];
    if (top === undefined || top.action.at >= endMs) return undefined;
    const last = this.#heap.pop() as Entry;
    if (this.#heap.length > 0) {
      this.#heap[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < this.#heap.length && before(this.#heap[left] as Entry, this.#heap[smallest] as Entry)) smallest = left;
        if (right < this.#heap.length && before(this.#heap[right] as Entry, this.#heap[smallest] as Entry)) smallest = right;
        if (smallest === index) break;
        this.#swap(index, smallest);
        index = smallest;
      }
    }
    return top.action;
  }

  #swap(a: number, b: number): void {
    const entry = this.#heap[a] as Entry;
    this.#heap[a] = this.#heap[b] as Entry;
    this.#heap[b] = entry;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.action.at < b.action.at || (a.action.at === b.action.at && a.sequence < b.sequence);
}
