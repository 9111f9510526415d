/**
 * The route sheet as a printable HTML page (UTF-8, A4 landscape print styles): the header of the print form
 * ("as of", the section, the doctor's name and code) and the 14-column table. Every value is escaped.
 */
import { routeSheetLabels } from './labels-ru.ts';
import { asOfText, routeSheetCells, type RouteSheet } from './route-sheet.ts';
import { ruDate } from './local-format.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function routeSheetHtml(sheet: RouteSheet): Buffer {
  const labels = routeSheetLabels;
  const head = labels.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
  const body = sheet.rows.length === 0
    ? `<tr><td colspan="${labels.columns.length}">${escapeHtml(labels.empty)}</td></tr>`
    : sheet.rows.map((row) => `<tr>${routeSheetCells(row, sheet.clinic.timeZone).map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  const title = `${labels.title} — ${sheet.doctor.name} — ${ruDate(sheet.date)}`;
  const html = `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
@page { size: A4 landscape; margin: 10mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10px; }
h1 { font-size: 14px; margin: 0 0 4px; }
p { margin: 2px 0; }
table { border-collapse: collapse; width: 100%; margin-top: 6px; }
th, td { border: 1px solid #444; padding: 2px 3px; vertical-align: top; }
th { background: #eee; }
</style>
</head>
<body>
<h1>${escapeHtml(labels.title)}</h1>
<p>${escapeHtml(asOfText(sheet))}</p>
<p>${escapeHtml(sheet.clinic.name)}</p>
<p><strong>${escapeHtml(labels.section)}</strong></p>
<p>${escapeHtml(labels.doctor)}: ${escapeHtml(sheet.doctor.name)} (${escapeHtml(labels.doctorCode)} ${escapeHtml(sheet.doctor.code)}) · ${escapeHtml(labels.date)}: ${escapeHtml(ruDate(sheet.date))}</p>
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
  return Buffer.from(html, 'utf8');
}
