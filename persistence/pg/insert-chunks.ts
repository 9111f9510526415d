/**
 * Splits rows for multi-row INSERTs, so one statement stays under Postgres's 65,535 bind parameters and a
 * bounded number of bytes however large a batch or a snapshot is.
 */

/** 500 rows of at most 7 columns: 3,500 parameters, far below the protocol's 65,535. */
export const rowsPerInsertMax = 500;
/** Keeps one statement's bind buffer (frames, snapshot states) to a few MiB. */
export const bytesPerInsertMax = 8 * 1024 * 1024;

/**
 * Yields consecutive chunks of `rows`, each of at most `rowsMax` rows and, unless a single row is larger,
 * `bytesMax` bytes as measured by `bytesOf`. Lazy: a chunk is built only when asked for.
 */
export function* insertChunks<T>(
  rows: Iterable<T>,
  bytesOf: (row: T) => number = () => 0,
  rowsMax: number = rowsPerInsertMax,
  bytesMax: number = bytesPerInsertMax,
): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const rowBytes = bytesOf(row);
    if (chunk.length > 0 && (chunk.length >= rowsMax || bytes + rowBytes > bytesMax)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += rowBytes;
  }
  if (chunk.length > 0) yield chunk;
}
