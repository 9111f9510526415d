// Proof that uWebSockets.js runs its native binary, not its silent JavaScript fallback.
//
// The installed package (@trufflesuite/uws-js-unofficial, src/uws.js) requires
// `binaries/uws_<platform>_<arch>_<ABI>.node`; when that throws (no binary for this Node ABI, a missing glibc
// symbol) it prints a console warning and returns `dist/index.js`, an emulation over the `ws` library with the
// same API and a fraction of the speed. It does the same, with only a log line, when UWS_USE_FALLBACK is set.
// A bench on the fallback would measure `ws` and call it uWS, so every uWS figure must pass this check first.
//
// The check does not trust the log: the native addon's functions are V8 native functions (their source text
// is "[native code]") and it exports things the fallback lacks (`SSLApp`, `getParts`, the compressor
// constants); the fallback's `App` is ordinary JavaScript. The expected binary path and whether Node's module
// cache holds it are reported to make the error actionable.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import uWS from 'uWebSockets.js';

export interface UwsLoadReport {
  readonly native: boolean;
  /** Why it is or is not native, in a sentence. */
  readonly reason: string;
  readonly expectedBinary: string;
  readonly binaryExists: boolean;
  readonly binaryLoaded: boolean;
}

const fallbackFlagValues = ['true', 'True', 'TRUE', '1'] as const;
const nativeOnlyExports = ['SSLApp', 'getParts', 'SHARED_COMPRESSOR'] as const;

function isNativeFunction(value: unknown): boolean {
  return typeof value === 'function' && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(value));
}

function expectedBinaryPath(): string {
  const require = createRequire(import.meta.url);
  // The package's main is src/uws.js and it loads ../binaries/…: the same path, resolved the same way.
  const packageDir = dirname(dirname(require.resolve('uWebSockets.js')));
  const fileName = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  return join(packageDir, 'binaries', fileName);
}

/** Describes how the given module object (by default the one `import uWS from 'uWebSockets.js'` gives) loaded. */
export function describeUwsLoad(uwsModule: object = uWS): UwsLoadReport {
  const expectedBinary = expectedBinaryPath();
  const binaryExists = existsSync(expectedBinary);
  const binaryLoaded = Object.hasOwn(createRequire(import.meta.url).cache, expectedBinary);
  const base = { expectedBinary, binaryExists, binaryLoaded };
  const flag = process.env['UWS_USE_FALLBACK'];
  const app: unknown = Reflect.get(uwsModule, 'App');
  if (!isNativeFunction(app)) {
    const cause = flag !== undefined && (fallbackFlagValues as readonly string[]).includes(flag)
      ? `the environment sets UWS_USE_FALLBACK=${flag}; unset it`
      : binaryExists
        ? `${expectedBinary} exists but failed to load (see the "not compatible with your Node.js build" ` +
          'warning printed at import); check the glibc version and the Node ABI'
        : `there is no ${expectedBinary} for Node ${process.version} (ABI ${process.versions.modules}); ` +
          'use a Node version the package ships a binary for';
    return { ...base, native: false, reason: `uWebSockets.js is running its JavaScript fallback: ${cause}` };
  }
  const missing = nativeOnlyExports.filter((name) => !(name in uwsModule));
  if (missing.length > 0) {
    return { ...base, native: false, reason: `uWebSockets.js lacks native exports ${missing.join(', ')}` };
  }
  return { ...base, native: true, reason: `native binary ${binaryLoaded ? 'loaded' : 'in use'}: ${expectedBinary}` };
}

/** Throws an Error that says what to do when uWebSockets.js is not running natively. */
export function assertNativeUws(uwsModule: object = uWS): void {
  const report = describeUwsLoad(uwsModule);
  if (!report.native) throw new Error(`${report.reason}. Bench figures for uWS would be wrong; refusing to run.`);
}
