import t from 'tap';
import fc from 'fast-check';
import { IndexedHeap } from './indexed-heap.ts';

t.test('pops in (priority, key) order after random sets and deletes', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('set', 'delete'), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 5 }))),
      (ops) => {
        const heap = new IndexedHeap<string>();
        const model = new Map<string, number>();
        for (const [op, key, priority] of ops) {
          const k = `k${key}`;
          if (op === 'set') {
            heap.set(k, priority);
            model.set(k, priority);
          } else {
            t.equal(heap.delete(k), model.delete(k));
          }
        }
        const expected = [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        t.same(heap.dueAtMost(2).map((e) => e.key), expected.filter(([, p]) => p <= 2).map(([k]) => k));
        const popped: string[] = [];
        for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) popped.push(entry.key);
        return JSON.stringify(popped) === JSON.stringify(expected.map(([k]) => k));
      },
    ),
    { numRuns: 300 },
  );
  t.end();
});
