// esbuild plugins shared by scripts/bundle.mjs and scripts/bundle-daemon.mjs.
import { readFile } from 'node:fs/promises';

/**
 * commander requires node:child_process at load, for executable subcommands (`git-style`
 * `program-sub` files), which vrrpd has none of; loading it (and node:net behind it) cost every CLI
 * command ~6 ms of a ~100 ms `node -e 0` on a 2-core machine. In the bundles it loads only if a
 * spawn ever happens.
 */
export const commanderLoadsChildProcessOnUse = {
  name: 'commander-loads-child-process-on-use',
  setup(build) {
    build.onLoad({ filter: /[/\\]node_modules[/\\]commander[/\\]lib[/\\]command\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`${args.path}: no longer loads node:child_process by ${eager}; update scripts/bundle-plugins.mjs`);
      const onUse = "const childProcess = { spawn: (...spawnArgs) => require('node:child_process').spawn(...spawnArgs) };";
      return { contents: text.replace(eager, onUse), loader: 'js' };
    });
  },
};

/**
 * pino and sonic-boom load node:worker_threads and node:assert (which makes process.stderr) at
 * load, for pino's transports (worker threads) and one argument check: ~7-10 ms of a daemon's
 * start before its first advertisement on a 2-core machine (issue 16). vrrpd uses no transport and
 * gives pino its own stream; in the daemon bundle each loads when first used.
 */
export const pinoLoadsWorkersAndAssertOnUse = {
  name: 'pino-loads-workers-and-assert-on-use',
  setup(build) {
    const edits = [
      { file: /[/\\]node_modules[/\\]pino[/\\]pino\.js$/, from: "module.exports.transport = require('./lib/transport')", to: "Object.defineProperty(module.exports, 'transport', { enumerable: true, configurable: true, get: () => require('./lib/transport') })" },
      { file: /[/\\]node_modules[/\\]pino[/\\]lib[/\\]tools\.js$/, from: "const { isMainThread } = require('worker_threads')", to: "const workerThreads = () => require('worker_threads')" },
      { file: /[/\\]node_modules[/\\]pino[/\\]lib[/\\]tools\.js$/, from: '!opts.sync && isMainThread)', to: '!opts.sync && workerThreads().isMainThread)' },
      { file: /[/\\]node_modules[/\\]pino[/\\]lib[/\\]tools\.js$/, from: "const transport = require('./transport')", to: "const transport = (...args) => require('./transport')(...args)" },
      { file: /[/\\]node_modules[/\\]sonic-boom[/\\]index\.js$/, from: "const assert = require('assert')", to: "const assert = (...args) => require('assert')(...args)" },
    ];
    build.onLoad({ filter: /[/\\]node_modules[/\\](pino|sonic-boom)[/\\].*\.js$/ }, async (args) => {
      const mine = edits.filter((edit) => edit.file.test(args.path));
      if (mine.length === 0) return undefined;
      let text = await readFile(args.path, 'utf8');
      for (const { from, to } of mine) {
        if (!text.includes(from)) throw new Error(`${args.path}: no longer has ${from}; update scripts/bundle-plugins.mjs`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};
