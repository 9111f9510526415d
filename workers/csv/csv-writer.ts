/**
 * The one CSV writer of the product: every CSV it writes goes through here — the call-out task list
 * (`GET /api/v1/callout/tasks?format=csv` and the worker export `GET /api/v1/callout/tasks/export`) and the
 * operations report (`format=csv`). The XLSX writers use its cell guard (`guardCell`) too.
 *
 * - RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, a quote, a line break or
 *   leading/trailing space, quotes doubled.
 * - Formula guard (OWASP "CSV Injection"): a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
 *   return is prefixed with an apostrophe, so a patient's name like `=HYPERLINK("http://x")` is shown as text
 *   by a spreadsheet, never run. A cell that is wholly a number (`-5`, `+79161234567`, `-1.5`) is left as it is:
 *   digits alone cannot make a formula call anything, and a robot reads the phone column as written.
 * - No byte-order mark, ever: CSV is the format for programs (UTF-8 as the Content-Type says, `charset=utf-8`);
 *   a person opening a list in a spreadsheet takes the XLSX of the same endpoint (`format=xlsx`).
 */
export type CsvValue = string | number | boolean | null | undefined;

const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^[+-]?\d+([.,]\d+)?$/;

/** A text cell as a spreadsheet must show it: formula-like text gets a leading apostrophe. */
export function guardCell(text: string): string {
  return formulaStart.test(text) && !plainNumber.test(text) ? `'${text}` : text;
}

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? guardCell(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function csvDocument(header: readonly string[], rows: Iterable<readonly CsvValue[]>): Buffer {
  const parts: string[] = [csvLine(header)];
  for (const row of rows) parts.push(csvLine(row));
  return Buffer.from(parts.join(''), 'utf8');
}

/** The XLSX writers' row guard: text cells as `guardCell`, numbers and empties unchanged. */
export function guardRow<T>(cells: readonly T[]): T[] {
  return cells.map((cell) => (typeof cell === 'string' ? (guardCell(cell) as T) : cell));
}
