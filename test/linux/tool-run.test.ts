// The daemon's own tools (nft) started through the shim's spawnScript, not node:child_process:
// child_process is replaced here by one that fails, so a run that forks fails this test.
import { describe, expect, test, vi } from 'vitest';
import { nativeShims } from '../../src/linux/native.js';
import { runTool, ToolStartError } from '../../src/linux/tool-run.js';
import { NftCli } from '../../src/linux/nftables/nft.js';
import { isRoot } from '../helpers/netns.js';

vi.mock('node:child_process', () => ({
  spawn: () => {
    throw new Error('node:child_process was used: the daemon forked');
  },
}));

const shims = nativeShims();
const supported = shims.spawnCaptures === true && shims.spawnSupported?.() === true;

describe.skipIf(!supported)('runTool', () => {
  test('stdin, stdout, stderr and the exit status, without child_process', async () => {
    expect(await runTool(['sh', '-c', 'tr a-z A-Z; echo warned >&2; exit 2'], 'nft -f -\n', 5000)).toEqual({ code: 2, stdout: 'NFT -F -\n', stderr: 'warned\n' });
  });

  test('a tool that is not installed is a ToolStartError with ENOENT', async () => {
    const error = await runTool(['no-such-vrrpd-tool'], '', 5000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolStartError);
    expect((error as ToolStartError).code).toBe('ENOENT');
  });

  test('a tool past its time is killed with its process group', async () => {
    const started = performance.now();
    const result = await runTool(['sh', '-c', 'sleep 30 & sleep 30'], '', 200);
    expect(result.code).toBeNull();
    // Well before either sleep could end on its own.
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  test.skipIf(!isRoot())('NftCli lists and writes through it', async () => {
    const nft = new NftCli();
    const table = `vrrpd_toolrun_${process.pid}`;
    try {
      await nft.run([`add table inet ${table}`, `add counter inet ${table} probe`]);
      const listed = await runTool(['nft', 'list', 'table', 'inet', table], '', 5000);
      expect(listed.stdout).toContain('counter probe');
    } finally {
      await runTool(['nft', 'delete', 'table', 'inet', table], '', 5000);
    }
  });
});
