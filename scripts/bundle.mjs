// Bundles the compiled program (dist/, from tsc) into dist/bundle/, which bin/vrrpd runs: the
// ~170 modules `vrrpd run` loads as separate files cost every start, before the first
// advertisement, a resolution, a file read and a compilation each (~70 ms of a ~300 ms start on
// a 2-core machine, issue 16). Code splitting keeps the CLI's per-subcommand dynamic imports and
// the daemon's on-demand subsystems (src/cli/subsystems.ts) as chunks loaded when they run.
// The packages written in JavaScript alone (commander, pino, ip-address, yaml) are bundled in:
// loaded from node_modules each cost an ESM resolution, CommonJS loading and the export lexer
// (~15 ms of the ~75 ms `vrrpd --version` spends past Node's own start, in a CPU profile); their
// require() of Node's modules goes through the banner's createRequire. Packages with native
// code stay in node_modules (external), where node-gyp-build finds their binaries. The worker
// threads' entries are not bundled; they run from dist/ (src/linux/worker-file.ts).
// Usage: node scripts/bundle.mjs [DIST] (default: this checkout's dist/).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commanderLoadsChildProcessOnUse } from './bundle-plugins.mjs';

/** The dependencies with native code (package.json's allowScripts, and the addon API they build on). */
const NATIVE_PACKAGES = ['raw-socket', 'netlink', 'node-addon-api'];

const dist = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'dist'));
const outdir = join(dist, 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  // startup-signals is bin/vrrpd's first import: one entry of the same build, so the signals it
  // holds are the ones the daemon's operations take over (one module instance, shared through a chunk).
  entryPoints: [join(dist, 'cli', 'main.js'), join(dist, 'daemon', 'operations', 'startup-signals.js')],
  entryNames: '[name]',
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: NATIVE_PACKAGES,
  sourcemap: true,
  // esbuild's CommonJS wrapper calls require() for the bundled packages' own require('node:...').
  banner: { js: "import { createRequire as __vrrpdCreateRequire } from 'node:module'; const require = __vrrpdCreateRequire(import.meta.url);" },
  plugins: [commanderLoadsChildProcessOnUse],
  logLevel: 'warning',
});
