/**
 * A min-heap of keys by numeric priority, with O(log n) update and delete by key. Ties are broken by key,
 * so the order is total and does not depend on the order of insertion: a state restored from a snapshot
 * pops in exactly the order the original would have.
 */
export interface HeapEntry<K> {
  readonly key: K;
  readonly priority: number;
}

export class IndexedHeap<K extends string> {
  readonly #keys: K[] = [];
  readonly #priorities: number[] = [];
  readonly #positions = new Map<K, number>();

  get size(): number {
    return this.#keys.length;
  }

  has(key: K): boolean {
    return this.#positions.has(key);
  }

  priorityOf(key: K): number | undefined {
    const position = this.#positions.get(key);
    return position === undefined ? undefined : this.#priorities[position];
  }

  /** Inserts the key or moves it to a new priority. */
  set(key: K, priority: number): void {
    const position = this.#positions.get(key);
    if (position === undefined) {
      this.#keys.push(key);
      this.#priorities.push(priority);
      this.#positions.set(key, this.#keys.length - 1);
      this.#up(this.#keys.length - 1);
      return;
    }
    const before = this.#priorities[position] as number;
    this.#priorities[position] = priority;
    if (priority < before) this.#up(position);
    else this.#down(position);
  }

  delete(key: K): boolean {
    const position = this.#positions.get(key);
    if (position === undefined) return false;
    const last = this.#keys.length - 1;
    this.#swap(position, last);
    this.#keys.pop();
    this.#priorities.pop();
    this.#positions.delete(key);
    if (position < this.#keys.length) {
      this.#up(position);
      this.#down(position);
    }
    return true;
  }

  peek(): HeapEntry<K> | undefined {
    const key = this.#keys[0];
    return key === undefined ? undefined : { key, priority: this.#priorities[0] as number };
  }

  pop(): HeapEntry<K> | undefined {
    const top = this.peek();
    if (top !== undefined) this.delete(top.key);
    return top;
  }

  /**
   * Every entry with priority ≤ limit, in (priority, key) order, without changing the heap: a walk that only
   * descends below entries that are themselves due, so it costs O(k log k) for k due entries.
   */
  dueAtMost(limit: number): HeapEntry<K>[] {
    const due: HeapEntry<K>[] = [];
    const stack = [0];
    while (stack.length > 0) {
      const position = stack.pop() as number;
      if (position >= this.#keys.length) continue;
      const priority = this.#priorities[position] as number;
      if (priority > limit) continue;
      due.push({ key: this.#keys[position] as K, priority });
      stack.push(2 * position + 1, 2 * position + 2);
    }
    due.sort((a, b) => a.priority - b.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return due;
  }

  #less(a: number, b: number): boolean {
    const pa = this.#priorities[a] as number;
    const pb = this.#priorities[b] as number;
    if (pa !== pb) return pa < pb;
    return (this.#keys[a] as K) < (this.#keys[b] as K);
  }

  #swap(a: number, b: number): void {
    if (a === b) return;
    const ka = this.#keys[a] as K;
    const kb = this.#keys[b] as K;
    this.#keys[a] = kb;
    this.#keys[b] = ka;
    const pa = this.#priorities[a] as number;
    this.#priorities[a] = this.#priorities[b] as number;
    this.#priorities[b] = pa;
    this.#positions.set(kb, a);
    this.#positions.set(ka, b);
  }

  #up(position: number): void {
    let child = position;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.#less(child, parent)) return;
      this.#swap(child, parent);
      child = parent;
    }
  }

  #down(position: number): void {
    let parent = position;
    const size = this.#keys.length;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < size && this.#less(left, smallest)) smallest = left;
      if (right < size && this.#less(right, smallest)) smallest = right;
      if (smallest === parent) return;
      this.#swap(parent, smallest);
      parent = smallest;
    }
  }
}
