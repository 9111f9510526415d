/**
 * The sign-in limiter and the scrypt budget on their own (docs/security.md, item 4): attempts counted before
 * they are decided, progressive delay instead of a wall, an admin unlock, a junk flood that cannot evict a
 * real login's delay, and a bounded queue of password checks.
 */
import t from 'tap';
import { AttemptLimiter, HashBudget, LoginLimiter, type AttemptLimits } from './login-limiter.ts';

const limits: AttemptLimits = { failuresMax: 3, delayMsBase: 1_000, delayMsMax: 8_000, forgetAfterMs: 60_000, trackedMax: 10 };

t.test('attempts are counted when they begin: concurrent ones beyond the bound are refused before any is decided', async (t) => {
  const limiter = new AttemptLimiter(limits);
  const started = Array.from({ length: 20 }, () => limiter.begin('anna', 0));
  t.equal(started.filter((wait) => wait === 0).length, 3, 'three may go ahead');
  t.ok(started.slice(3).every((wait) => wait > 0), 'the other 17 wait');
});

t.test('past the bound: one attempt at a time after a delay that doubles, capped; a success clears it', async (t) => {
  const limiter = new AttemptLimiter(limits);
  let now = 0;
  for (let index = 0; index < 3; index += 1) {
    t.equal(limiter.begin('anna', now), 0);
    limiter.failed('anna', now);
  }
  t.equal(limiter.begin('anna', now), 1_000, 'the third failure starts a 1 s delay');
  const delays: number[] = [];
  for (let index = 0; index < 6; index += 1) {
    now += limiter.begin('anna', now);
    t.equal(limiter.begin('anna', now), 0, 'after the delay one attempt may go');
    t.ok(limiter.begin('anna', now) > 0, 'but only one at a time');
    limiter.failed('anna', now);
    delays.push(limiter.begin('anna', now));
  }
  t.same(delays, [2_000, 4_000, 8_000, 8_000, 8_000, 8_000], 'doubling up to the cap: never a lock-out longer than delayMsMax');
  now += 8_000;
  t.equal(limiter.begin('anna', now), 0);
  limiter.succeeded('anna');
  t.equal(limiter.begin('anna', now), 0, 'the right password clears the count');
});

t.test('an admin unlock clears a login at once; failures are forgotten after forgetAfterMs', async (t) => {
  const limiter = new AttemptLimiter(limits);
  for (let index = 0; index < 5; index += 1) {
    limiter.begin('boris', 0);
    limiter.failed('boris', 0);
  }
  t.ok(limiter.begin('boris', 10) > 0);
  limiter.clear('boris');
  t.equal(limiter.begin('boris', 10), 0, 'unlocked');
  limiter.failed('boris', 10);
  t.equal(limiter.size, 1);
  t.equal(limiter.begin('boris', 10 + 60_000), 0, 'forgotten forgetAfterMs after the last failure');
});

t.test('a flood of junk logins cannot evict a real login’s delay', async (t) => {
  const limiter = new AttemptLimiter(limits);
  for (let index = 0; index < 3; index += 1) {
    limiter.begin('victim', 0);
    limiter.failed('victim', 0);
  }
  for (let index = 0; index < 1_000; index += 1) {
    const key = `junk-${index}`;
    if (limiter.begin(key, 1) === 0) limiter.failed(key, 1);
  }
  t.ok(limiter.size <= limits.trackedMax, 'the map stays bounded');
  t.ok(limiter.begin('victim', 2) > 0, 'the victim’s delay is still there');
});

t.test('when every tracked key is slowed down, a new key is refused rather than evicting one', async (t) => {
  const limiter = new AttemptLimiter({ ...limits, trackedMax: 2 });
  for (const key of ['a', 'b']) for (let index = 0; index < 3; index += 1) {
    limiter.begin(key, 0);
    limiter.failed(key, 0);
  }
  t.ok(limiter.begin('c', 1) > 0, 'refused');
  t.ok(limiter.begin('a', 1) > 0 && limiter.begin('b', 1) > 0, 'both delays kept');
});

t.test('per login and per address: one address spraying many logins is slowed down too', async (t) => {
  const limiter = new LoginLimiter({ login: limits, address: { ...limits, failuresMax: 5 } });
  for (let index = 0; index < 5; index += 1) {
    t.equal(limiter.begin(`user-${index}`, '203.0.113.7', 0), 0);
    limiter.failed(`user-${index}`, '203.0.113.7', 0);
  }
  t.ok(limiter.begin('user-9', '203.0.113.7', 0) > 0, 'the sixth login from that address waits');
  t.equal(limiter.begin('user-9', '198.51.100.1', 0), 0, 'another address is not affected');
});

t.test('the scrypt budget runs at most concurrentMax at once, queues queuedMax, refuses the rest at once', async (t) => {
  const budget = new HashBudget(2, 3);
  let running = 0;
  let peak = 0;
  const work = () => new Promise<number>((resolve) => {
    running += 1;
    peak = Math.max(peak, running);
    setTimeout(() => {
      running -= 1;
      resolve(1);
    }, 20);
  });
  const results = await Promise.all(Array.from({ length: 10 }, () => budget.run(work)));
  t.equal(results.filter((result) => result !== undefined).length, 5, 'two running and three queued ran');
  t.equal(results.filter((result) => result === undefined).length, 5, 'the rest were refused');
  t.equal(peak, 2, 'never more than two at once');
  t.ok(await budget.run(work), 'the budget is free again afterwards');
});
