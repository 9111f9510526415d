/**
 * Typed rejections: what the world does wrong, with the reason a caller can act on. A rejected command
 * changes no state. Bugs are not rejections: they fail assertions and crash.
 */
export type RejectionCode =
  /** The resource does not exist (or is outside the caller's view). HTTP 404. */
  | 'not_found'
  /** A field's value is not acceptable (bad phone, unknown tag, date in the future). HTTP 400. */
  | 'invalid'
  /** The status does not allow this change. HTTP 409. */
  | 'illegal_transition'
  /** A business rule forbids it (one open call per patient, doctor not working that day). HTTP 409. */
  | 'rule_broken'
  /** The resource is taken by someone else (a slot booked or held). HTTP 409. */
  | 'conflict';

export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
  /** JSON-pointer-like path of the offending field, e.g. `/patient/phone`. */
  readonly field?: string;
  /** Ids the caller may act on, e.g. the open call that blocks a second one. */
  readonly details?: Readonly<Record<string, string>>;
  /**
   * A stable name of this particular refusal (`patient_has_open_call`, `slot_held`), finer than `code`, which
   * clients translate (the operator UI's catalogues) instead of showing `message`, which is English and free
   * to change. Absent: the code alone names it.
   */
  readonly reason?: string;
}

export function reject(
  code: RejectionCode,
  message: string,
  field?: string,
  details?: Readonly<Record<string, string>>,
  reason?: string,
): Rejection {
  const rejection: { code: RejectionCode; message: string; field?: string; details?: Readonly<Record<string, string>>; reason?: string } = {
    code,
    message,
  };
  if (field !== undefined) rejection.field = field;
  if (details !== undefined) rejection.details = details;
  if (reason !== undefined) rejection.reason = reason;
  return rejection;
}

/** Thrown (never caught by the engine) when an invariant breaks: a bug, not a rejection. */
export class AssertionFailure extends Error {
  override name = 'AssertionFailure';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

/**
 * Throws an AssertionFailure, for `if (broken) fail(message)` on the command path: `assert(ok, message)` with a template
 * literal builds its message string on every call, broken or not.
 */
export function fail(message: string): never {
  throw new AssertionFailure(message);
}
