// Fan-out encodes a diff once per batch and topic, whatever the number of subscribers (DESIGN.md rule 5,
// issue 16): the frames-published counter moves by one per diff, not per subscriber, the bytes-published
// counter by one frame's size, and every subscriber receives the very same bytes.
import t from 'tap';
import type { RawData } from 'ws';
import { intake, metricTotal, postJson, startSocketStack, TestSocket, type Frame } from './ws-test-kit.ts';

const subscribers = 6;

t.test('one encoding per diff for all subscribers of a clinic', async (t) => {
  const stack = await startSocketStack();
  t.teardown(() => stack.stop());
  const token = stack.tokens.operators['gp1'] as string;
  const clients: TestSocket[] = [];
  const raw: Buffer[][] = [];
  for (let i = 0; i < subscribers; i += 1) {
    const client = await TestSocket.connect(stack.wsUrl, { token });
    const frames: Buffer[] = [];
    client.socket.on('message', (data: RawData) => frames.push(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)));
    await client.next((frame) => frame.type === 'welcome');
    t.equal((await client.subscribe('clinic/gp1')).type, 'snapshot');
    clients.push(client);
    raw.push(frames);
  }
  const { metrics } = stack.gateway;
  const framesBefore = await metricTotal(metrics.framesPublished);
  const bytesBefore = await metricTotal(metrics.bytesPublished);
  const countsBefore = raw.map((frames) => frames.length);
  const created = await postJson(stack.base, '/api/v1/calls', token, intake());
  t.equal(created.status, 201);
  const id = created.body['id'];
  const hasCall = (frame: Frame): boolean =>
    frame.type === 'diff' && ((frame['data'] as { calls?: Array<{ id: unknown }> }).calls ?? []).some((call) => call.id === id);
  const diffs = await Promise.all(clients.map((client) => client.next(hasCall)));
  t.ok(diffs.every((diff) => diff['seq'] === diffs[0]?.['seq']), 'every subscriber got the same diff');
  // Each client's frames since the command: the same number, the same bytes.
  const since = raw.map((frames, index) => frames.slice(countsBefore[index]));
  const first = since[0] ?? [];
  t.ok(first.length >= 1, 'a diff arrived');
  for (const frames of since.slice(1)) t.same(frames.map((bytes) => bytes.toString('hex')), first.map((bytes) => bytes.toString('hex')), 'byte-identical frames');
  const published = (await metricTotal(metrics.framesPublished)) - framesBefore;
  const bytes = (await metricTotal(metrics.bytesPublished)) - bytesBefore;
  t.equal(published, first.length, `frames published = frames one subscriber received (${first.length}), not × ${subscribers}`);
  t.equal(bytes, first.reduce((sum, frame) => sum + frame.length, 0), 'bytes published = one copy of them');
  for (const client of clients) client.close();
});
