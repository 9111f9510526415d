/**
 * `npm start`'s prestart step: builds the operator UI into admin-ui/dist when it is missing or older than its
 * sources, so a fresh checkout serves the UI on the first start and a stale build is not served after an
 * update. Vite is loaded only when a build is needed (a production install may not have it).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const uiDir = join(root, 'admin-ui');
const builtIndex = join(uiDir, 'dist', 'index.html');
/** The UI's own sources, plus the engine module it imports (the complaint tags). */
const sources = [join(uiDir, 'src'), join(uiDir, 'public'), join(uiDir, 'index.html'), join(uiDir, 'vite.config.ts'), join(root, 'engine', 'domain', 'complaints.ts')];

function newestMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMs(join(path, name))));
}

const builtMs = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
const sourcesMs = Math.max(...sources.map(newestMs));
if (builtMs >= sourcesMs) {
  console.log('operator UI: admin-ui/dist is up to date');
} else {
  console.log(builtMs === 0 ? 'operator UI: building admin-ui/dist (first start)' : 'operator UI: sources changed, rebuilding admin-ui/dist');
  const { build } = await import('vite');
  await build({ root: uiDir, configFile: join(uiDir, 'vite.config.ts'), logLevel: 'warn' });
}
