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
