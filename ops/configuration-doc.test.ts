/**
 * docs/configuration.md lists every setting of gateway/config.ts, and its table is exactly the one generated
 * from the definitions (run `node --import tsx ops/configuration-doc.ts --write` after changing a setting).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { settingDefinitions, settingKeys } from '../gateway/config.ts';
import { configurationDocPath, withGeneratedTable } from './configuration-doc.ts';

t.test('the configuration doc lists every setting and its table is current', async (t) => {
  const doc = readFileSync(configurationDocPath, 'utf8');
  for (const key of settingKeys) {
    const definition = settingDefinitions[key];
    t.match(doc, `| \`${definition.env}\` | \`--${definition.flag}\` |`, `${definition.env} is in the table`);
  }
  t.ok(withGeneratedTable(doc) === doc, 'the table equals the generated one (node --import tsx ops/configuration-doc.ts --write)');
  for (const name of ['CONFIG_FILE', '--config', '--no-demo']) t.match(doc, name, `the doc explains ${name}`);
});
