// Calls kept in a clinic's state must share V8 hidden classes: a call copied with a spread had a map of its
// own, and each property added later (doctorId, assignedAt, …) built another one for that call alone (~1.5 KB
// per assigned call, kept). V8's own check (%HaveSameMap) runs in a child process with natives syntax on.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const probe = `
const { createEngine, SequenceIdSource } = await import(${JSON.stringify(new URL('../index.ts', import.meta.url).href)});
const { demoRegionCommands } = await import(${JSON.stringify(new URL('../demo-region.ts', import.meta.url).href)});
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
const fast = new Function('o', 'return %HasFastProperties(o)');
const at = Date.UTC(2026, 10, 23, 6, 0);
const engine = createEngine(new SequenceIdSource('t'));
for (const command of demoRegionCommands(2)) engine.submit(command, { at, by: 'admin' });
const register = (i) => engine.submit({ type: 'RegisterCall', call: { source: 'call_center', kind: 'primary',
  patient: { surname: 'Фамилия' + i, name: 'Имя', birthDate: '1975-01-01', sex: 'M' },
  address: { text: 'г. Ярославль, ул. Свободы', house: String(i + 1) }, complaints: { text: 'кашель', tags: ['cough'] } } }, { at, by: 'op' });
const ids = [register(1), register(2)].map((result) => result.reply.id);
for (const id of ids) engine.submit({ type: 'AssignCall', callId: id, doctorId: 'gp1-d1', visitDate: '2026-11-24' }, { at, by: 'op' });
const calls = engine.stateOf('clinic/gp1').calls;
const [a, b] = ids.map((id) => calls.get(id));
console.log(JSON.stringify({ assigned: [a.status, b.status], sameMap: sameMap(a, b), fast: fast(a) && fast(b) }));
`;

t.test('assigned calls share one hidden class and keep fast properties', async (t) => {
  const output = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
  });
  const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { assigned: string[]; sameMap: boolean; fast: boolean };
  t.same(result.assigned, ['assigned', 'assigned']);
  t.equal(result.sameMap, true, 'the two calls have the same map');
  t.equal(result.fast, true, 'no dictionary-mode calls');
});
