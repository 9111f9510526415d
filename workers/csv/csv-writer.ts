/**
 * CSV out (RFC 4180): comma-separated, CRLF line ends, a field quoted when it holds a comma, a quote, a line
 * break or leading/trailing space, quotes doubled. A field that a spreadsheet would run as a formula (`=`, `+`,
 * `-`, `@` first) is prefixed with an apostrophe, so an exported patient name can never execute in Excel.
 * `withBom` starts the text with a UTF-8 byte-order mark, which Excel needs to read Cyrillic as UTF-8.
 */
export type CsvValue = string | number | boolean | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^-?\d+([.,]\d+)?$/.test(text) && !/^\+\d[\d\s()-]*$/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function csvDocument(header: readonly string[], rows: Iterable<readonly CsvValue[]>, options: { withBom?: boolean } = {}): Buffer {
  const parts: string[] = [options.withBom === true ? '\uFEFF' : '', csvLine(header)];
  for (const row of rows) parts.push(csvLine(row));
  return Buffer.from(parts.join(''), 'utf8');
}
