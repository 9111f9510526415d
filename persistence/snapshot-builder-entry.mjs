// The snapshot builder thread's entry (persistence/snapshot-builder.ts): plain JavaScript that registers the tsx
// loader in this thread (a loader registered in the main thread does not reach it) and then imports the
// TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./snapshot-builder-worker.ts');
