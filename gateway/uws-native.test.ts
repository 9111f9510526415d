import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { assertNativeUws, describeUwsLoad } from './uws-native.ts';

const repoDir = fileURLToPath(new URL('../', import.meta.url));

t.test('the installed uWebSockets.js runs its native binary', async (t) => {
  const report = describeUwsLoad();
  t.equal(report.native, true, report.reason);
  t.equal(report.binaryExists, true);
  t.match(report.expectedBinary, new RegExp(`uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`));
  t.doesNotThrow(() => assertNativeUws());
});

t.test('a fallback-shaped module is refused with a clear error', async (t) => {
  const fallbackLike = { App: function App(): object { return {}; }, us_listen_socket_close: (): void => undefined };
  t.throws(() => assertNativeUws(fallbackLike), /JavaScript fallback.*refusing to run/);
});

t.test('the real fallback (UWS_USE_FALLBACK=1) is detected in a fresh process', async (t) => {
  const script = "import { assertNativeUws } from './gateway/uws-native.ts'; assertNativeUws();";
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoDir, env: { ...process.env, UWS_USE_FALLBACK: '1' }, encoding: 'utf8', timeout: 15_000,
  });
  t.not(result.status, 0, 'the process fails');
  t.match(result.stderr, /UWS_USE_FALLBACK=1; unset it/);
});
