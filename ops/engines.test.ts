/**
 * Issue 13, defect 10: `engines` said `>=20` while the uWebSockets.js build loads only on Node 20 and Vite needs
 * `>=20.19`. The stated range is held against the facts it rests on: the native uWS binaries shipped (ABI 115 is
 * Node 20; 127 and 131 would be 22 and 23) and Vite's own `engines`.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const json = (path: string): { engines?: { node?: string } } => JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as { engines?: { node?: string } };

t.test('engines states the Node versions the product runs on', async (t) => {
  t.equal(json('package.json').engines?.node, '^20.19.0');
  const abis = new Set(readdirSync(`${root}node_modules/uWebSockets.js/binaries`).map((name) => /_(\d+)\.node$/.exec(name)?.[1]).filter((abi) => abi !== undefined));
  t.ok(abis.has('115'), 'the uWS build has Node 20 (ABI 115) binaries');
  t.notOk(abis.has('127') || abis.has('131') || abis.has('137'), 'and none for Node 22 or later: engines must stop at 20');
  t.match(json('node_modules/vite/package.json').engines?.node, /\^20\.19\.0/, 'Vite needs 20.19 on the 20 line');
  t.equal(process.versions.modules, '115', 'this test runs on Node 20 itself');
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  t.ok(major === 20 && minor >= 19, `Node ${process.versions.node} is in the range`);
});
