// The priority-0 advertisements a Master arms with its VRRP socket leave from the SIGTERM handler
// itself, or from the watcher thread the signal's generation wakes, whichever runs first
// (native-shims/signal_resignation.cc): between two lab hosts, a process whose only JavaScript loop
// is held in a blocking read gets SIGTERM, and its armed advertisements reach the other host before
// the loop runs again; one taken back does not leave. The same with the watcher alone (no handler). Afterwards the socket
// sends nothing that would undo them: neither an advertisement above priority 0 nor a second copy
// of one the handler sent; a priority-0 advertisement that was not armed still leaves.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { nativeShims } from '../../src/linux/native.js';
import { decodeAdvertisement, encodeAdvertisement } from '../../src/vrrp/packet/advertisement.js';
import { waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { runProbe } from '../helpers/probe.js';

const probe = join(import.meta.dirname, 'resignation-probe.mjs');
const listenerProbe = join(import.meta.dirname, 'vrrp4-probe.mjs');

interface ProbeLine {
  readonly ready?: boolean;
  readonly heard?: boolean;
  readonly sentByHandler?: number;
  readonly by?: string;
  readonly error?: string;
  readonly payload?: string;
  readonly destination?: string;
}

/**
 * SIGTERM to one thread of `pid` (tgkill(2), through perl: Node has no call for it), the one named
 * `name`. Process-directed, the signal goes to the probe's loop thread, which takes it off the
 * pending set at once when it does not hold the handler: the watcher, woken by its generation,
 * then finds nothing pending and sleeps on (the handler, in the daemon, sends instead). Aimed at
 * the watcher, which blocks every signal, it stays pending there for the watcher to see.
 */
function signalThread(pid: number, name: string): void {
  const tid = readdirSync(`/proc/${pid}/task`).find((task) => readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim() === name);
  if (tid === undefined) throw new Error(`no thread ${name} in process ${pid}`);
  const tgkill = { x64: 234, arm64: 131 }[process.arch as 'x64' | 'arm64'];
  if (tgkill === undefined) throw new Error(`tgkill's number on ${process.arch} is not known here`);
  execFileSync('perl', ['-e', `syscall(${tgkill}, ${pid}, ${tid}, 15) == 0 or die "tgkill: $!"`]);
}

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

describe('resignation arguments', () => {
  test('are refused before anything is installed', () => {
    const shims = nativeShims();
    expect(() => shims.resignOnSignals([9])).toThrow('not a signal that can be caught: 9');
    expect(() => (shims.resignOnSignals as unknown as (x: unknown) => void)('SIGTERM')).toThrow(TypeError);
    expect(() => (shims.withdrawResignation as unknown as (x: unknown) => void)('0')).toThrow(TypeError);
    // Nothing was sent: no signal came.
    expect(shims.resignationsSent()).toBe(0);
  });
});

describe.skipIf(!isRoot())('priority 0 from the SIGTERM handler (needs root)', () => {
  test.each([
    { mode: 'handler and watcher', watcherOnly: false, senders: ['handler', 'watcher'] },
    { mode: 'the watcher alone', watcherOnly: true, senders: ['watcher'] },
  ])('$mode: the armed advertisements leave while the JavaScript loop is held; afterwards nothing undoes them', { timeout: 30_000 }, async ({ watcherOnly, senders }) => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const advert = (vrid: number, priority: number, destination: string) =>
      Buffer.from(encodeAdvertisement({ version: 3, vrid, priority, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] }, { family: 'ipv4', source: '192.0.2.1', destination }, 'pseudo-header')).toString('hex');
    const group = '224.0.0.18';
    const listener = await runProbe<ProbeLine>(b, listenerProbe, { source: '192.0.2.2', groups: [group], listenMs: 8000 });
    const master = await runProbe<ProbeLine>(a, probe, {
      source: '192.0.2.1',
      watcherOnly,
      armed: [
        { payload: advert(7, 0, group), destination: group },
        { payload: advert(8, 0, '192.0.2.2'), destination: '192.0.2.2' },
        { payload: advert(9, 0, group), destination: group, withdrawn: true },
      ],
      after: [
        // An Adver_Timer that ran before JavaScript heard of the signal: suppressed.
        { payload: advert(7, 150, group), destination: group },
        // The shutdown's own priority 0, already sent by the handler: suppressed.
        { payload: advert(7, 0, group), destination: group },
        // A priority 0 that was never armed: it leaves.
        { payload: advert(10, 0, group), destination: group },
      ],
    });

    if (watcherOnly) signalThread(master.child.pid!, 'vrrp-resign');
    else master.child.kill('SIGTERM');
    // The probe's loop is still held in its read of stdin: only the handler can have sent these.
    await waitFor('the armed advertisements at b', async () => listener.lines.length >= 2, 5000);
    expect(master.lines).toEqual([]);
    // The watcher's signal stays with it: the loop hears one of its own.
    if (watcherOnly) master.child.kill('SIGTERM');
    master.child.stdin?.end('go\n');
    await master.exited;
    expect(master.lines).toEqual([{ heard: true, sentByHandler: 2, by: expect.any(String) }]);
    expect(senders).toContain(master.lines[0]?.by);
    // The listener stops by itself, 8 s after it started.
    await listener.exited;

    const received = listener.lines.map((line) => {
      const decoded = decodeAdvertisement(Buffer.from(line.payload ?? '', 'hex'), { family: 'ipv4', source: '192.0.2.1', destination: line.destination ?? '' });
      return decoded.ok ? `vrid ${decoded.advertisement.vrid} priority ${decoded.advertisement.priority} to ${line.destination}` : 'undecodable';
    });
    expect(received).toEqual(['vrid 7 priority 0 to 224.0.0.18', 'vrid 8 priority 0 to 192.0.2.2', 'vrid 10 priority 0 to 224.0.0.18']);
  });
});
