// --server-node-args: extra node flags for the server under test, recorded with the options; code-loading
// flags and anything that is not a flag are refused before a server starts.
import t from 'tap';
import { ScenarioArgs, serverNodeArgs } from './scenario-kit.ts';

t.test('server node args', async (t) => {
  t.same(serverNodeArgs(new ScenarioArgs([])), []);
  const args = new ScenarioArgs(['--server-node-args=--no-single-threaded-gc --max-semi-space-size=32', '--tmpfs'], { flags: ['tmpfs'] });
  t.same(serverNodeArgs(args), ['--no-single-threaded-gc', '--max-semi-space-size=32']);
  t.same(args.record()['server-node-args'], '--no-single-threaded-gc --max-semi-space-size=32', 'recorded in the result file');
  t.throws(() => serverNodeArgs(new ScenarioArgs(['--server-node-args=--import=/tmp/x.mjs'])), /not one/);
  t.throws(() => serverNodeArgs(new ScenarioArgs(['--server-node-args=--require=x'])), /not one/);
  for (const flag of ['--loader=x.mjs', '--experimental-loader=x.mjs', '--inspect=0.0.0.0:9229', '--inspect-brk']) {
    t.throws(() => serverNodeArgs(new ScenarioArgs([`--server-node-args=${flag}`])), /not one/, `${flag} is refused`);
  }
  t.throws(() => serverNodeArgs(new ScenarioArgs(['--server-node-args=rm -rf'])), /not one/);
});
