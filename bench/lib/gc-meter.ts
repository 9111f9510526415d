/**
 * What a measured window cost the garbage collector: bytes allocated on the JavaScript heap, the number of
 * collections by kind and the time they took, from V8's own per-collection statistics (`v8.GCProfiler`, the
 * same numbers `--trace-gc` prints). Allocated bytes are the heap growth between collections plus the growth
 * after the last one: Σ (used before collection i − used after collection i−1) + (used at the end − used after
 * the last). It counts what survived and what did not, so "bytes per command" is the allocation rate the
 * collector has to keep up with.
 *
 * One meter per window: `start`, run the work, `stop`. The profiler's statistics are held by V8 until `stop`;
 * a window of a few seconds collects a few thousand entries at most.
 */
import v8 from 'node:v8';

/** GC kinds as V8 names them in `GCProfiler` statistics (`gcType`). */
export interface GcWindow {
  readonly allocatedBytes: number;
  /** Heap in use at the end minus at the start: what the window kept (state, not garbage). */
  readonly retainedBytes: number;
  readonly collections: number;
  readonly scavenges: number;
  readonly markSweeps: number;
  /** Time in collections on the thread, ms (V8's `cost`, which is in µs). */
  readonly gcMs: number;
  /** The longest single collection, ms. */
  readonly gcMaxMs: number;
  /** Of `gcMs`: young-generation collections, and full mark-sweep-compacts. */
  readonly scavengeMs: number;
  readonly markSweepMs: number;
}

interface GcStatistic {
  readonly gcType: string;
  readonly cost: number;
  readonly beforeGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
  readonly afterGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
}

export class GcMeter {
  readonly #profiler = new v8.GCProfiler();
  #usedAtStart = 0;

  start(): void {
    this.#usedAtStart = v8.getHeapStatistics().used_heap_size;
    this.#profiler.start();
  }

  stop(): GcWindow {
    const usedAtEnd = v8.getHeapStatistics().used_heap_size;
    const result = this.#profiler.stop() as unknown as { readonly statistics: readonly GcStatistic[] } | undefined;
    const statistics = result?.statistics ?? [];
    let allocated = 0;
    let usedAfterPrevious = this.#usedAtStart;
    let gcUs = 0;
    let gcMaxUs = 0;
    let scavenges = 0;
    let markSweeps = 0;
    let scavengeUs = 0;
    let markSweepUs = 0;
    for (const entry of statistics) {
      allocated += Math.max(0, entry.beforeGC.heapStatistics.usedHeapSize - usedAfterPrevious);
      usedAfterPrevious = entry.afterGC.heapStatistics.usedHeapSize;
      gcUs += entry.cost;
      gcMaxUs = Math.max(gcMaxUs, entry.cost);
      if (entry.gcType === 'Scavenge' || entry.gcType === 'MinorMarkSweep') {
        scavenges += 1;
        scavengeUs += entry.cost;
      } else if (entry.gcType === 'MarkSweepCompact') {
        markSweeps += 1;
        markSweepUs += entry.cost;
      }
    }
    allocated += Math.max(0, usedAtEnd - usedAfterPrevious);
    return {
      allocatedBytes: allocated,
      retainedBytes: usedAtEnd - this.#usedAtStart,
      collections: statistics.length,
      scavenges,
      markSweeps,
      gcMs: gcUs / 1000,
      gcMaxMs: gcMaxUs / 1000,
      scavengeMs: scavengeUs / 1000,
      markSweepMs: markSweepUs / 1000,
    };
  }
}
