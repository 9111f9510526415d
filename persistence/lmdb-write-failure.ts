/**
 * Turns a failed lmdb-js write into its real cause and a message an operator can act on.
 *
 * lmdb-js rejects every write of a failed transaction with a generic "Commit failed" error whose `commitError` is a
 * second promise, rejected with the real error in the same callback (node_modules/lmdb/write.js, rejectCommit).
 * Nobody else handles that promise, so without this an I/O error would also crash the process as an unhandled
 * rejection, and the real reason would be lost. The wait for it is bounded by one macrotask, so an unexpected
 * shape can never hang a caller.
 *
 * A full disk usually shows as EIO, not ENOSPC: LMDB turns a short write into EIO (mdb.c, mdb_page_flush,
 * "short write, filesystem full?"). Verified on a 3 MiB tmpfs and under `ulimit -f`.
 */

export interface LmdbWriteFailure {
  readonly cause: unknown;
  readonly message: string;
}

const errnoInputOutput = 5;
const errnoNoSpace = 28;
const errnoFileTooLarge = 27;

export async function explainLmdbWriteFailure(error: unknown): Promise<LmdbWriteFailure> {
  const cause = await unwrapCommitError(error);
  return { cause, message: describe(cause) };
}

async function unwrapCommitError(error: unknown): Promise<unknown> {
  const commitError = (error as { readonly commitError?: unknown } | null | undefined)?.commitError;
  if (!isThenable(commitError)) return error;
  const detail = await Promise.race([
    Promise.resolve(commitError).then(
      () => undefined,
      (reason: unknown) => reason,
    ),
    new Promise<undefined>((resolve) => setImmediate(resolve, undefined)),
  ]);
  return detail ?? error;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { readonly then?: unknown } | null | undefined)?.then === 'function';
}

function describe(cause: unknown): string {
  if (cause === undefined) return 'the write was not stored';
  const message = cause instanceof Error ? cause.message : String(cause);
  // lmdb-js errors carry the LMDB or errno code as a number.
  const code = (cause as { readonly code?: unknown } | null)?.code;
  if (code === errnoNoSpace || code === errnoFileTooLarge || /MDB_MAP_FULL|ENOSPC|No space left/i.test(message)) {
    return `the disk (or the LMDB map) is full: free space, then restart (${message})`;
  }
  if (code === errnoInputOutput) {
    return `I/O error, most often a full disk (LMDB reports a short write as EIO): check free space and the disk, then restart (${message})`;
  }
  return message;
}
