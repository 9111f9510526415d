// A worker thread lowers its own priority and only its own: the main thread's stays where it was.
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { currentThreadId, lowerThisThreadPriority } from './thread-priority.ts';

// Linux, where the product runs (per-thread priority is Linux-only; elsewhere workers keep normal priority).
t.test('a worker lowers its own thread, not the process', async (t) => {
  const before = getPriority(process.pid);
  const source = `
    const { parentPort } = require('node:worker_threads');
    const { readlinkSync } = require('node:fs');
    const { getPriority, setPriority } = require('node:os');
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(id, 12);
    parentPort.postMessage({ id, nice: getPriority(id) });`;
  // The same system calls as lowerThisThreadPriority, in a plain worker (no TypeScript loader there).
  const reply = await new Promise<{ id: number; nice: number }>((resolve, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  t.not(reply.id, process.pid, 'the worker has a thread id of its own');
  t.equal(reply.nice, 12, 'the worker thread runs at nice 12');
  t.equal(getPriority(process.pid), before, 'the main thread is untouched');
});

t.test('lowerThisThreadPriority: bounds, and never raising priority', async (t) => {
  t.throws(() => lowerThisThreadPriority(-1), RangeError);
  t.throws(() => lowerThisThreadPriority(20), RangeError);
  t.throws(() => lowerThisThreadPriority(1.5), RangeError);
  if (process.platform !== 'linux') return;
  const id = currentThreadId();
  t.equal(id, process.pid, 'on the main thread the thread id is the process id');
  const current = getPriority(process.pid);
  const outcome = lowerThisThreadPriority(0);
  t.same(outcome, { applied: true, nice: current, threadId: process.pid }, 'asking for a higher priority changes nothing');
});
