import t from 'tap';
import { CsvLimitError, csvFieldCharsMax, parseCsv, recordObject } from './csv-parser.ts';
import { csvDocument, csvField } from './csv-writer.ts';

void t.test('quoted fields, doubled quotes, line breaks inside quotes, CRLF, BOM; records keep their first line', (t) => {
  const table = parseCsv('\uFEFFKind,Name,Note\r\nclinic,"Поликлиника № 1, филиал","сказал ""да""\r\nи ушёл"\r\n\r\nhours,a,b\n');
  t.same(table.header, ['kind', 'name', 'note']);
  t.same(table.records.map((r) => r.line), [2, 5], 'the second record starts on line 5 (a blank line was skipped)');
  t.same(table.records[0]?.fields, ['clinic', 'Поликлиника № 1, филиал', 'сказал "да"\r\nи ушёл']);
  t.same(recordObject(table, table.records[1] as never), { kind: 'hours', name: 'a', note: 'b' });
  t.end();
});

void t.test('semicolon files (Russian Excel) are read by their header', (t) => {
  const table = parseCsv('a;b\n1,5;2\n');
  t.same(table.records[0]?.fields, ['1,5', '2']);
  t.end();
});

void t.test('bounds: an unclosed quote and an oversized field are errors that name the line', (t) => {
  t.throws(() => parseCsv('a\n"open\n'), CsvLimitError);
  const error = (() => { try { parseCsv(`a\nok\n${'x'.repeat(csvFieldCharsMax + 1)}\n`); } catch (e) { return e; } return undefined; })();
  t.ok(error instanceof CsvLimitError);
  t.equal((error as CsvLimitError).line, 3);
  t.end();
});

void t.test('the writer quotes what needs it and defuses spreadsheet formulas, not phone numbers', (t) => {
  t.equal(csvField('a,b'), '"a,b"');
  t.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  t.equal(csvField('+79161234567'), '+79161234567');
  t.equal(csvField(-5), '-5');
  t.equal(csvDocument(['a'], [['Ёж']]).toString('utf8'), 'a\r\nЁж\r\n', 'one policy: no byte-order mark');
  for (const start of ['=', '+', '-', '@', '\t', '\r']) t.equal(csvField(`${start}cmd|' /C calc'!A0`).replace(/^"/, '').charAt(0), "'", `a cell starting with ${JSON.stringify(start)} is neutralised`);
  t.equal(csvField('-1.5'), '-1.5', 'a negative number as text stays a number');
  t.equal(csvField('+7 (916) 123'), "'+7 (916) 123", 'anything beyond a plain number is guarded');
  t.end();
});
