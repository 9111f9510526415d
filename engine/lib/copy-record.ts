/**
 * A copy of a plain record that the state will go on mutating (a call gains `doctorId`, `closedAt`, …; a
 * route visit gains `doneAt`). Same keys, same order as the source — the order is part of a state's hash
 * (persistence/state-codec.ts), so a live, a replayed and a restored state must build it alike.
 *
 * Not a spread: V8 (Node 20) gives an object copied with `{ ...source }` a map of its own, with no transition
 * tree, so every property added to it later builds a new map and descriptor array for that one object:
 * ~1.5 KB allocated, and kept, per assigned call (measured with bench/lib/gc-meter.ts). A copy made through
 * ordinary stores shares its maps with every other record of the same shape.
 */
export function copyRecord<T extends object>(source: T): T {
  return Object.assign({}, source);
}
