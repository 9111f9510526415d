/**
 * CSV in (RFC 4180, as spreadsheets write it): comma or semicolon separated (taken from the header line),
 * fields optionally quoted with `"` and doubled quotes inside, line breaks inside quoted fields, CRLF or LF,
 * a UTF-8 byte-order mark ignored, blank lines skipped. Each record keeps the line number it starts on, so
 * problems are reported where a person finds them in the file.
 *
 * Bounds, each a CsvLimitError naming the line: `csvRecordsMax` records, `csvFieldsMax` fields per record,
 * `csvFieldCharsMax` characters per field. A quote left open at the end is a CsvLimitError too.
 */
export const csvRecordsMax = 50_000;
export const csvFieldsMax = 64;
export const csvFieldCharsMax = 4_000;

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvTable {
  /** Header names, trimmed and lower-cased. */
  readonly header: readonly string[];
  readonly records: readonly CsvRecord[];
}

export class CsvLimitError extends Error {
  override readonly name = 'CsvLimitError';
  readonly line: number;

  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

export function parseCsv(text: string): CsvTable {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const firstBreak = source.search(/\r?\n/);
  const headerLine = firstBreak < 0 ? source : source.slice(0, firstBreak);
  const delimiter = (headerLine.match(/;/g)?.length ?? 0) > (headerLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldTouched = false;
  const endField = (): void => {
    if (fields.length >= csvFieldsMax) throw new CsvLimitError(recordLine, `more than ${csvFieldsMax} fields`);
    fields.push(field);
    field = '';
    fieldTouched = false;
  };
  const endRecord = (): void => {
    endField();
    const blank = fields.length === 1 && fields[0] === '';
    if (!blank) {
      if (records.length >= csvRecordsMax + 1) throw new CsvLimitError(recordLine, `more than ${csvRecordsMax} rows`);
      records.push({ line: recordLine, fields });
    }
    fields = [];
  };
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index] as string;
    if (quoted) {
      if (char === '"') {
        if (source[index + 1] === '"') {
          field += '"';
          index += 1;
        } else quoted = false;
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
    } else if (char === '"' && !fieldTouched && field === '') {
      quoted = true;
      fieldTouched = true;
    } else if (char === delimiter) {
      endField();
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[index + 1] === '\n') index += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += char;
    }
    if (field.length > csvFieldCharsMax) throw new CsvLimitError(recordLine, `a field longer than ${csvFieldCharsMax} characters`);
  }
  if (quoted) throw new CsvLimitError(recordLine, 'a quoted field is not closed');
  if (field !== '' || fields.length > 0) endRecord();
  const [head, ...rows] = records;
  return { header: (head?.fields ?? []).map((name) => name.trim().toLowerCase()), records: rows };
}

/** The record's fields by header name (trimmed; empty cells omitted). */
export function recordObject(table: CsvTable, record: CsvRecord): Readonly<Record<string, string>> {
  const object: Record<string, string> = {};
  table.header.forEach((name, index) => {
    const value = record.fields[index]?.trim();
    if (name !== '' && value !== undefined && value !== '') object[name] = value;
  });
  return object;
}
