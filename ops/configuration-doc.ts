/**
 * The settings table of docs/configuration.md, generated from gateway/config.ts's definitions so the doc
 * cannot drift from the code. The table lives between two marker comments; the prose around it is written
 * by hand. `--write` rewrites the table in place; `--check` exits 1 when it is stale (the test does the same).
 *
 *   node --import tsx ops/configuration-doc.ts --write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingDefinitions, settingKeys, type SettingDefinition } from '../gateway/config.ts';

export const configurationDocPath = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
export const tableBegin = '<!-- settings:begin (generated from gateway/config.ts by `node --import tsx ops/configuration-doc.ts --write`; do not edit by hand) -->';
export const tableEnd = '<!-- settings:end -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function renderSettingsTable(): string {
  const rows = ['| Variable | Flag | Default | Accepted | Effect |', '|---|---|---|---|---|'];
  for (const key of settingKeys) {
    const definition: SettingDefinition<unknown> = settingDefinitions[key];
    rows.push(`| \`${definition.env}\` | \`--${definition.flag}\` | ${cell(definition.defaultText)} | ${cell(definition.range)} | ${cell(definition.effect)} |`);
  }
  return rows.join('\n');
}

/** The doc with its table section replaced by the generated one. */
export function withGeneratedTable(doc: string): string {
  const begin = doc.indexOf(tableBegin);
  const end = doc.indexOf(tableEnd);
  if (begin < 0 || end < begin) throw new Error(`${configurationDocPath} lacks the table markers ${tableBegin} … ${tableEnd}`);
  return `${doc.slice(0, begin)}${tableBegin}\n${renderSettingsTable()}\n${doc.slice(end)}`;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const doc = readFileSync(configurationDocPath, 'utf8');
  const generated = withGeneratedTable(doc);
  if (process.argv.includes('--write')) {
    writeFileSync(configurationDocPath, generated);
  } else if (generated !== doc) {
    console.error(`${configurationDocPath} is stale: run node --import tsx ops/configuration-doc.ts --write`);
    process.exit(1);
  }
}
