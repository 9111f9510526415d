/**
 * The route sheet as a PDF: A4 landscape, the print form's header and its 14-column table, repeated on every
 * page, rows wrapped within their columns. Cyrillic needs a font that has it: DejaVu Sans Condensed from the
 * `dejavu-fonts-ttf` package (installed by npm ci, no system fonts needed), embedded as a subset with a
 * ToUnicode map, so the text can be searched and extracted.
 *
 * Bound: the sheet holds at most `routeSheetRowsMax` rows, so the document (a few pages) is built in memory and
 * returned as bytes.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import { routeSheetLabels } from './labels-ru.ts';
import { ruDate } from './local-format.ts';
import { asOfText, routeSheetCells, type RouteSheet } from './route-sheet.ts';

const fontDirectory = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
export const fontRegular = join(fontDirectory, 'DejaVuSansCondensed.ttf');
export const fontBold = join(fontDirectory, 'DejaVuSansCondensed-Bold.ttf');

const marginPt = 24;
const cellPaddingPt = 2;
const bodyFontPt = 6.5;
/** Column widths in points, in the form's order; they sum to the A4 landscape width minus the margins. */
const columnWidthsPt = [16, 44, 72, 62, 34, 66, 118, 40, 58, 84, 58, 50, 50, 42] as const;

export function routeSheetPdf(sheet: RouteSheet): Promise<Buffer> {
  const document = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: marginPt,
    font: fontRegular,
    info: { Title: `${routeSheetLabels.title} ${sheet.doctor.name} ${sheet.date}`, Author: sheet.clinic.name },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  document.registerFont('regular', fontRegular);
  document.registerFont('bold', fontBold);
  drawHeader(document, sheet);
  let y = drawColumnHeads(document, document.y + 4);
  const bottom = document.page.height - marginPt;
  if (sheet.rows.length === 0) {
    document.font('regular').fontSize(9).text(routeSheetLabels.empty, marginPt, y + 6);
  }
  for (const row of sheet.rows) {
    const cells = routeSheetCells(row, sheet.clinic.timeZone);
    document.font('regular').fontSize(bodyFontPt);
    const height = rowHeight(document, cells);
    if (y + height > bottom) {
      document.addPage();
      y = drawColumnHeads(document, marginPt);
      document.font('regular').fontSize(bodyFontPt);
    }
    drawRow(document, cells, y, height);
    y += height;
  }
  if (sheet.truncated) document.font('bold').fontSize(8).text(`… ${sheet.rows.length}+`, marginPt, Math.min(y + 4, bottom - 10));
  document.end();
  return done;
}

function drawHeader(document: PDFKit.PDFDocument, sheet: RouteSheet): void {
  const labels = routeSheetLabels;
  const width = document.page.width - 2 * marginPt;
  document.font('bold').fontSize(13).text(labels.title, marginPt, marginPt, { width, align: 'center' });
  document.font('regular').fontSize(9).text(asOfText(sheet), { width, align: 'center' });
  document.text(sheet.clinic.name, { width, align: 'center' });
  document.moveDown(0.3);
  document.font('bold').fontSize(10).text(labels.section, marginPt, document.y, { width });
  document.font('regular').fontSize(9).text(
    `${labels.doctor}: ${sheet.doctor.name} (${labels.doctorCode} ${sheet.doctor.code}), ${sheet.doctor.specialty}    ${labels.date}: ${ruDate(sheet.date)}`,
    marginPt, document.y, { width },
  );
}

function drawColumnHeads(document: PDFKit.PDFDocument, y: number): number {
  const heads = [...routeSheetLabels.columns];
  document.font('bold').fontSize(bodyFontPt);
  const height = rowHeight(document, heads);
  document.save().rect(marginPt, y, sum(columnWidthsPt), height).fill('#e8e8e8').restore();
  drawRow(document, heads, y, height);
  return y + height;
}

function rowHeight(document: PDFKit.PDFDocument, cells: readonly string[]): number {
  let tallest = 0;
  cells.forEach((cell, index) => {
    const width = (columnWidthsPt[index] ?? 40) - 2 * cellPaddingPt;
    tallest = Math.max(tallest, document.heightOfString(cell === '' ? ' ' : cell, { width }));
  });
  return tallest + 2 * cellPaddingPt;
}

function drawRow(document: PDFKit.PDFDocument, cells: readonly string[], y: number, height: number): void {
  let x = marginPt;
  cells.forEach((cell, index) => {
    const width = columnWidthsPt[index] ?? 40;
    document.lineWidth(0.4).rect(x, y, width, height).stroke('#444444');
    document.fillColor('black').text(cell, x + cellPaddingPt, y + cellPaddingPt, { width: width - 2 * cellPaddingPt, lineBreak: true });
    x += width;
  });
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
