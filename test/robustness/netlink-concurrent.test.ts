// Found by the soak bench: two instances changing addresses at the same moment shared one netlink
// socket, and a dump's multipart reply interleaved with another request ("Multipart message not
// terminated properly", EBUSY) left a VIP on a Backup. Every request must succeed when many run at once.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isRoot } from '../helpers/netns.js';
import { useLab } from './lab.js';

const newLab = useLab();

describe.skipIf(!isRoot())('rtnetlink under concurrency (needs root)', () => {
  test('40 adds, 40 deletes, 80 address dumps and 40 link dumps at once: all succeed, all addresses come and go', { timeout: 30_000 }, async () => {
    const lab = await newLab();
    const host = await lab.addHost('a', ['192.0.2.1/24']);
    const run = spawnSync('ip', ['netns', 'exec', host.netns, 'node', join(import.meta.dirname, 'netlink-concurrent.mjs'), '40'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { failures: string[]; present: number; left: number };
    expect(result.failures).toEqual([]);
    expect(result.present).toBe(40);
    expect(result.left).toBe(0);
  });
});
