/**
 * Id sources. The engine never invents randomness: every id comes from an injected IdSource and is
 * recorded in the events, so a replay reproduces the state exactly without calling the source again.
 */
export interface IdSource {
  /** A new id, unique within this engine's lifetime and its log; `[A-Za-z0-9]` only. */
  next(): string;
}

/** Deterministic ids for tests and simulation: a prefix and a base-36 counter. */
export class SequenceIdSource implements IdSource {
  #counter: number;
  readonly #prefix: string;

  constructor(prefix = 'x', start = 0) {
    this.#prefix = prefix;
    this.#counter = start;
  }

  next(): string {
    this.#counter += 1;
    return this.#prefix + this.#counter.toString(36);
  }
}
