/**
 * A worker module for the pool's tests: answers, spins past any time limit, or allocates past the memory limit,
 * or tells its thread's nice value, as the task asks. Nothing in the product uses it.
 */
import { getPriority } from 'node:os';
import { applyPoolPriority, currentThreadId } from '../thread-priority.ts';

export type MisbehavingTask = { readonly kind: 'echo'; readonly value: number } | { readonly kind: 'spin' } | { readonly kind: 'hog' } | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'nice' };

// As the product's task handler does at its top.
applyPoolPriority();

export default async function run(task: MisbehavingTask): Promise<number> {
  switch (task.kind) {
    case 'echo':
      return task.value;
    case 'nice':
      return getPriority(currentThreadId() ?? 0);
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, task.ms));
      return task.ms;
    case 'spin':
      for (;;) {
        // Never yields: only terminating the thread stops it.
      }
    case 'hog': {
      const kept: number[][] = [];
      for (;;) kept.push(new Array<number>(100_000).fill(kept.length));
    }
  }
}
