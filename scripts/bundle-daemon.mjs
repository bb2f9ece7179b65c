// Bundles what bin/vrrpd runs with V8's code cache (src/cli/code-cache.ts) into CommonJS files, each
// with its cache beside it:
// - dist/bundle/daemon.cjs (+ .cache): `vrrpd run` and `vrrpd ipfailover`: start-up to the first
//   advertisement with ~65 ms less CPU on a 2-core machine (bench/RESULTS.md, "Start-up");
// - dist/bundle/check.cjs (+ .cache): `vrrpd check`, which loads the configuration stack (issue 16's
//   CLI goal). It holds check's code alone: the other subcommands' dynamic imports become a module
//   that says so, never reached because bin/vrrpd runs this bundle for `check` only;
// - dist/bundle/control.cjs (+ .cache): `status`, `priority`, `reload`, `dump` and `--version`, the
//   same way (src/cli/control-bundle.ts).
// Unlike dist/bundle/*.js (scripts/bundle.mjs), the pure-JavaScript packages are bundled in, so that
// their compiled code is in the cache too; the native ones (raw-socket, and the netlink package's
// binding) load from node_modules.
// Each cache is what a warm-up compiled (warmUp in src/cli/*-bundle.ts, in
// a fresh node) and belongs to this node binary: another one's V8 rejects it and the bundle
// compiles as without one.
// Usage: node scripts/bundle-daemon.mjs [DIST] (default: this checkout's dist/).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commanderLoadsChildProcessOnUse, pinoLoadsWorkersAndAssertOnUse } from './bundle-plugins.mjs';

/** The bundles, by name: dist/bundle/NAME.cjs from dist/cli/ENTRY. */
const BUNDLES = {
  // Whitespace removed from the daemon's too: V8 keeps a script's source for its life, and the
  // daemon's is its largest object (1.53 -> 1.05 MB, resident in every daemon; issue 16's memory).
  // The source map beside it gives stack traces their lines back.
  daemon: { entry: 'daemon-bundle.js', minifyWhitespace: true, plugins: () => [commanderLoadsChildProcessOnUse, netlinkInBundle, ipAddressInBundle, pinoLoadsWorkersAndAssertOnUse] },
  check: { entry: 'check-bundle.js', minifyWhitespace: true, plugins: () => [commanderLoadsChildProcessOnUse, ipAddressInBundle, onlyDynamicImports(/[/\\](check|interface-names|interface-resolver)\.js$/)] },
  control: { entry: 'control-bundle.js', minifyWhitespace: true, plugins: () => [commanderLoadsChildProcessOnUse, ipAddressInBundle, onlyDynamicImports(/[/\\](status|reload)\.js$/)] },
};

// `--warm-up NAME DIST`: run in a fresh node by the build below.
const warmUpOf = process.argv[2] === '--warm-up' ? process.argv[3] : undefined;
const dist = resolve((warmUpOf ? process.argv[4] : process.argv[2]) ?? join(import.meta.dirname, '..', 'dist'));
const bundleFile = (name) => join(dist, 'bundle', `${name}.cjs`);

if (warmUpOf !== undefined) {
  const { loadCachedModule, writeCodeCache } = await import(pathToFileURL(join(dist, 'cli', 'code-cache.js')).href);
  const bundle = bundleFile(warmUpOf);
  const loaded = loadCachedModule(bundle, `${bundle}.cache`);
  await loaded.exports.warmUp(join(import.meta.dirname, 'daemon-warm-up.conf'));
  writeCodeCache(loaded.script, bundle, `${bundle}.cache`);
  process.exit(0);
}

/**
 * Our modules ask for the netlink package's files through createRequire (src/linux/netlink/
 * rtnetlink.ts: the ES module loader would parse its large generated code for exports): a plain
 * require here, so that esbuild bundles them. The package loads its binding from its own
 * directory, which in the bundle is the package's directory in node_modules.
 */
const netlinkInBundle = {
  name: 'netlink-in-bundle',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, async (args) => {
      if (args.path.startsWith(dist)) {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes("createRequire(import.meta.url)('netlink/")) return undefined;
        return { contents: text.replaceAll("createRequire(import.meta.url)('netlink/", "require('netlink/"), loader: 'js' };
      }
      if (!/[/\\]node_modules[/\\]netlink[/\\]dist[/\\]raw\.js$/.test(args.path)) return undefined;
      const text = await readFile(args.path, 'utf8');
      const load = "require('node-gyp-build')(__dirname + '/..')";
      if (!text.includes(load)) throw new Error(`${args.path}: the binding is no longer loaded by ${load}; update scripts/bundle-daemon.mjs`);
      const fromPackage = "((dir) => require('node:module').createRequire(dir + '/package.json')('node-gyp-build')(dir))(require('node:path').dirname(require.resolve('netlink/package.json')))";
      // The binary node-gyp-build picks here, as a path from the bundle, opened directly: its
      // search (package.json, directory listings, the tags of each prebuild) cost ~5 ms of every
      // daemon's start. Anywhere it is not that file (another layout of node_modules, another
      // architecture: dlopen refuses it) or the package's own overrides are set, it searches.
      const binary = relative(join(dist, 'bundle'), createRequire(import.meta.url)('node-gyp-build').resolve(dirname(args.path) + '/..'));
      const direct = `((binary) => { if (!process.env.NETLINK_PREBUILD && !process.env.PREBUILDS_ONLY) try { const m = { exports: {} }; process.dlopen(m, require('node:path').join(__dirname, binary)); return m.exports; } catch {} return ${fromPackage}; })(${JSON.stringify(binary)})`;
      return { contents: text.replace(load, direct), loader: 'js' };
    });
  },
};

/**
 * src/core/address.ts loads ip-address at its first use, through createRequire: a plain require
 * here, so that esbuild bundles the package (its compiled code then in the cache) and still runs
 * its top level (its tables) only when that require is first reached.
 */
const ipAddressInBundle = {
  name: 'ip-address-in-bundle',
  setup(build) {
    const lazy = "createRequire(import.meta.url)('ip-address')";
    build.onLoad({ filter: /[/\\]core[/\\]address\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes(lazy)) throw new Error(`${args.path}: no longer loads ip-address by ${lazy}; update scripts/bundle-daemon.mjs`);
      return { contents: text.replaceAll(lazy, "require('ip-address')"), loader: 'js' };
    });
  },
};

/**
 * Keeps out of a bundle every dynamic import but those `keep` matches: each other one becomes a
 * module that throws when imported (the bundle's entry never takes those paths).
 */
function onlyDynamicImports(keep) {
  return {
    name: 'only-dynamic-imports',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) =>
        args.kind === 'dynamic-import' && !keep.test(args.path) ? { path: args.path, namespace: 'not-in-bundle' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'not-in-bundle' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in this bundle (scripts/bundle-daemon.mjs)`)});`,
        loader: 'js',
      }));
    },
  };
}

for (const [name, { entry, plugins, minifyWhitespace }] of Object.entries(BUNDLES)) await bundleWithCache(name, entry, plugins(), minifyWhitespace === true);

/** Builds dist/bundle/NAME.cjs from dist/cli/ENTRY and writes its code cache after a warm-up. */
async function bundleWithCache(name, entry, plugins, minifyWhitespace) {
  const bundle = bundleFile(name);
  await rm(`${bundle}.cache`, { force: true });
  const built = await build({
    entryPoints: [join(dist, 'cli', entry)],
    outfile: bundle,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['raw-socket', 'node-gyp-build', 'netlink/package.json'],
    // The first line names this build: the cache written for it is used with it only (V8 itself
    // compares nothing but the source's length). import.meta.url is the bundle's own file. Strict
    // mode as the ES modules were ("use strict" must come before any statement).
    banner: { js: `// vrrpd-bundle ${randomBytes(16).toString('hex')}\n'use strict';\nvar __vrrpdBundleUrl = require('node:url').pathToFileURL(__filename).href;` },
    define: { 'import.meta.url': '__vrrpdBundleUrl' },
    plugins,
    minifyWhitespace,
    // ASCII only (non-ASCII characters as escapes): the loader then makes a one-byte string of it,
    // ~10 ms less than decoding UTF-8 (src/cli/code-cache.ts). esbuild leaves the comments it keeps
    // (the packages' doc comments) as they are: their characters are escaped below.
    charset: 'ascii',
    write: false,
    sourcemap: true,
    logLevel: 'warning',
  });
  await mkdir(dirname(bundle), { recursive: true });
  for (const output of built.outputFiles) {
    const text = output.path === bundle ? output.text.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`) : output.text;
    await writeFile(output.path, text);
}
// A fresh node, with no flags: V8 takes a cache only with the flags it was made with.
execFileSync(process.execPath, [import.meta.filename, '--warm-up', name, dist], { stdio: ['ignore', 'ignore', 'inherit'] });
}
// bin/vrrpd's way in for a daemon (src/cli/daemon-start.ts): node's own modules only.
await build({
  entryPoints: [join(dist, 'cli', 'daemon-start.js')],
  outfile: join(dist, 'bundle', 'daemon-start.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
