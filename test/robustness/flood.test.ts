// A vrrpd Master under a flood: 10k packets per second of random bytes, advertisements for a VRID
// it does not have, advertisements for its own VRID at priority 254 with the wrong password, and
// VRRPv3 ones for its VRRPv2 VRID, from a neighbour namespace. The Master stays Master, keeps its
// advertisement period (measured on the wire), counts the rejections, logs them in summaries, and
// its RSS does not keep growing.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { encodeAdvertisement, type Advertisement } from '../../src/vrrp/packet/advertisement.js';
import { keepalivedConf, poll, startDaemon, holds } from '../../bench/lib/daemons.js';
import { advertGaps, readWire } from '../../bench/lib/wire.js';
import { captureVrrpAndArp } from '../../bench/lib/lab.js';
import { isRoot } from '../helpers/netns.js';
import { rssKb, status, useLab } from './lab.js';
import { scratchDir } from '../helpers/scratch.js';

const newLab = useLab();
const RATE = 10_000;
const SECONDS = 3;
/** Scheduling slack on a loaded shared 2-core machine, on top of the 1 s advertisement interval. */
const GAP_MARGIN_MS = 300;
const password = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.padEnd(8, '\0')));

function floodPayloads(): string[] {
  const ip = { family: 'ipv4' as const, source: '192.0.2.66', destination: '224.0.0.18' };
  const v2 = (vrid: number, pass: string): Advertisement => ({ version: 2, vrid, priority: 254, advertIntervalSeconds: 1, authType: 1, authData: password(pass), addresses: ['192.0.2.100'] });
  const out: Uint8Array[] = [];
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 50; i++) out.push(Uint8Array.from({ length: 8 + (random() % 40) }, random));
  for (let vrid = 90; vrid < 100; vrid++) out.push(encodeAdvertisement(v2(vrid, 'secret12'), ip));
  for (let i = 0; i < 20; i++) out.push(encodeAdvertisement(v2(51, `wrong${i}`), ip));
  out.push(encodeAdvertisement({ version: 3, vrid: 51, priority: 254, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] }, ip));
  return out.map((bytes) => Buffer.from(bytes).toString('hex'));
}

describe.skipIf(!isRoot())('flood (needs root)', () => {
  test('10k packets/s of garbage, foreign VRIDs and wrong passwords: the Master stays, keeps its period, counts, and does not grow', { timeout: 90_000 }, async () => {
    const lab = await newLab();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const sender = await lab.addHost('s', ['192.0.2.66/24']);
    const obs = await lab.addHost('obs', ['192.0.2.9/24']);
    const vrrpd = startDaemon('vrrpd', a, keepalivedConf([{ name: 'VI_1', interfaceName: 'eth0', vrid: 51, priority: 150, version: 2, advertIntS: 1, vips: ['192.0.2.100/24'], extra: ['authentication {', '  auth_type PASS', '  auth_pass secret12', '}'] }]));
    expect(await poll(() => holds(a, '192.0.2.100'), 8000, 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const file = join(scratchDir('flood'), 'payloads.hex');
    writeFileSync(file, floodPayloads().join('\n') + '\n');
    const ifindex = String((JSON.parse(execFileSync('ip', ['-n', sender.netns, '-j', 'link', 'show', 'eth0'], { encoding: 'utf8' })) as Array<{ ifindex: number }>)[0]!.ifindex);
    const flood = (): { sent: number; errors: number } => {
      const run = spawnSync('ip', ['netns', 'exec', sender.netns, 'node', join(import.meta.dirname, 'flood-sender.mjs'), 'eth0', ifindex, '192.0.2.66', file, String(RATE), String(SECONDS)], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`flood sender failed: ${run.stderr}`);
      return JSON.parse(run.stdout) as { sent: number; errors: number };
    };
    const floodAsync = (): Promise<{ sent: number; errors: number }> => new Promise((resolve, reject) => setImmediate(() => { try { resolve(flood()); } catch (e) { reject(e as Error); } }));

    const capture = await captureVrrpAndArp(obs, 'eth0', 'ip proto 112 and src host 192.0.2.1');
    const rss0 = rssKb(vrrpd.pid);
    const floodStart = performance.timeOrigin + performance.now();
    const first = await floodAsync();
    const rss1 = rssKb(vrrpd.pid);
    const second = await floodAsync();
    const floodEnd = performance.timeOrigin + performance.now();
    const rss2 = rssKb(vrrpd.pid);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await capture.stop();

    expect(first.sent + second.sent).toBeGreaterThanOrEqual(RATE * SECONDS * 2 * 0.9);
    const [instance] = await status(vrrpd);
    expect(instance!.state).toBe('Master');
    expect(instance!.statistics.becameMaster).toBe(1);
    expect(instance!.statistics.releasedMaster).toBe(0);
    // 20 of the 81 payloads carry a wrong password for VRID 51, one is VRRPv3 for it.
    expect(instance!.statistics.rejected['auth-failure']).toBeGreaterThan(((first.sent + second.sent) * 20) / 81 * 0.5);
    expect(instance!.statistics.rejected['version']).toBeGreaterThan(0);
    expect(vrrpd.lines.some((line) => line.includes('"event":"packets-rejected"') && line.includes('auth-failure'))).toBe(true);
    // Garbage is reported on the interface (malformed), once, not once per packet.
    expect(vrrpd.lines.filter((line) => line.includes('"event":"packets-rejected"')).length).toBeLessThan(40);

    const wire = readWire(capture.file);
    const ours = wire.adverts.filter((x) => x.source === '192.0.2.1');
    const gaps = advertGaps(ours.filter((x) => x.t >= floodStart - 1000 && x.t <= floodEnd + 1000));
    expect(gaps.length).toBeGreaterThanOrEqual(SECONDS * 2 - 1);
    expect(Math.max(...gaps)).toBeLessThan(1000 + GAP_MARGIN_MS);
    expect(ours.every((x) => x.priority === 150)).toBe(true);

    // Memory: the second flood costs no more than a bounded amount over the first.
    console.info(`flood: sent ${first.sent}+${second.sent}, RSS ${rss0} -> ${rss1} -> ${rss2} kB, max advert gap ${Math.max(...gaps).toFixed(1)} ms`);
    expect(rss2 - rss1).toBeLessThan(16 * 1024);
    expect(rss2 - rss0).toBeLessThan(48 * 1024);
  });
});
