import t from 'tap';
import { runSmoke } from './smoke-kit.ts';

t.test('operators-19k at its small size: sessions held, rate steps measured', async (t) => {
  const { figures } = await runSmoke(t, 'operators-19k');
  const setup = figures['setup'] as { connected: number; requested: number; decoding: number; passive: number };
  t.equal(setup.connected, setup.requested, 'every session connected');
  t.ok(setup.decoding > 0 && setup.passive > 0, 'some sessions decode, the others are passive');
  t.equal(setup.decoding + setup.passive, setup.connected);
  type Passive = { sessions: number; openSessions: number; frames: number; framesExpected: number; lowestClinicRatio: number | null };
  const steps = figures['steps'] as Array<{ rate: number; counts: { scheduled: number }; passiveSessions: Passive; deliveredFrames: number; serverCpuMsPer1000DeliveredFrames: number | null }>;
  t.ok(steps.length >= 1, 'at least one rate step');
  t.ok(steps.every((step) => step.counts.scheduled > 0), 'each step scheduled commands');
  for (const step of steps) {
    // Every subscriber of a clinic is sent the same diffs: the passive sessions, counting frames undecoded,
    // must have received what the decoding sessions of their clinic did.
    t.equal(step.passiveSessions.openSessions, step.passiveSessions.sessions, `@${step.rate}/s: no passive session closed`);
    t.ok(step.passiveSessions.frames > 0, `@${step.rate}/s: passive sessions received frames`);
    t.equal(step.passiveSessions.frames, step.passiveSessions.framesExpected, `@${step.rate}/s: passive frames = decoded frames per session × passive sessions`);
    t.equal(step.passiveSessions.lowestClinicRatio, 1, `@${step.rate}/s: in every clinic`);
    t.type(step.serverCpuMsPer1000DeliveredFrames, 'number', 'server CPU per 1000 delivered frames reported');
  }
  t.type((figures['serverAfterConnect'] as { rssMB: number }).rssMB, 'number', 'server RSS after connecting');
});
