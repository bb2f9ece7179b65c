// vrrpd's BFD against FRR's bfdd (Debian's frr), in namespaces, from keepalived.conf: sessions
// come Up over IPv4 and IPv6, single- and multi-hop; both ends agree on the timers and keep the
// session Up through Poll Sequences either side starts (FRR reconfigured, vrrpd reloaded); each end goes Down with the diagnostic the other's departure
// calls for; hostile and malformed packets are counted and change nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { encodeControlPacket } from '../../src/bfd/packet.js';
import { bfdBlock, sendDatagrams, startVrrpdConf, type LabVrrpd } from '../helpers/bfd-lab.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { waitFor } from '../helpers/daemons.js';
import { haveFrrBfdd, startBfdd, type Bfdd } from '../helpers/frr.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

let lab: NamespaceLab | undefined;
const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const daemon of running.splice(0).reverse()) await daemon.stop().catch(() => undefined);
  await lab?.destroy();
  lab = undefined;
});

/** r1 runs vrrpd, up runs FRR's bfdd; one LAN, IPv4 and IPv6. */
async function twoHosts(): Promise<{ r1: LabHost; up: LabHost }> {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const r1 = await lab.addHost('r1', ['192.0.2.1/24', '2001:db8::1/64']);
  const up = await lab.addHost('up', ['192.0.2.254/24', '2001:db8::fe/64']);
  return { r1, up };
}

/** vrrpd running these bfd_instance blocks (and no vrrp_instance). */
function vrrpd(host: LabHost, text: string, options: { metrics?: boolean } = {}): LabVrrpd {
  const daemon = startVrrpdConf(host, text, options);
  running.push(daemon);
  return daemon;
}

const up4 = (timers = { minTx: 100, minRx: 100, multiplier: 3 }) => bfdBlock('up4', { neighbor: '192.0.2.254', source: '192.0.2.1', ...timers });

async function bfdd(host: LabHost, text: string): Promise<Bfdd> {
  const daemon = await startBfdd(host, text);
  running.push(daemon);
  return daemon;
}

const frrPeer = (peer: string, local: string, timers = '  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 3\n', multihop = false) =>
  `bfd\n peer ${peer}${multihop ? ' multihop' : ''} local-address ${local}\n${timers} !\n!\n`;

describe.skipIf(!isRoot() || !haveFrrBfdd())('vrrpd and FRR bfdd (needs root and frr)', () => {
  test('IPv4 and IPv6 sessions come Up, both ends agree on discriminators and timers, and Poll Sequences from either end keep them Up', { timeout: 90_000 }, async () => {
    const { r1, up } = await twoHosts();
    const timers = '  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 3\n';
    const frr = await bfdd(up, `bfd\n peer 192.0.2.1 local-address 192.0.2.254\n${timers} !\n peer 2001:db8::1 local-address 2001:db8::fe\n${timers} !\n!\n`);
    const ours = vrrpd(r1, up4() + bfdBlock('up6', { neighbor: '2001:db8::fe', source: '2001:db8::1', minTx: 100, minRx: 100, multiplier: 3 }), { metrics: true });
    await waitFor('both sessions Up at both ends', async () => {
      const peers = await frr.peers();
      const status = await ours.status().catch(() => undefined);
      return peers.every((peer) => peer.status === 'up') && peers.length === 2 && (status?.bfd?.sessions.every((session) => session.state === 'Up') ?? false);
    }, 20_000);
    for (const [name, address] of [['up4', '192.0.2.1'], ['up6', '2001:db8::1']] as const) {
      const session = await ours.session(name);
      const peer = (await frr.peer(address))!;
      expect(session.remoteDiscr).toBe(peer.id);
      expect(peer['remote-id']).toBe(session.localDiscr);
      // Each sends every max(own 100 ms, the other's 100 ms); 3 missed packets is Down.
      expect(session.timers).toEqual({ transmitInterval: 100_000, detectionTime: 300_000 });
      expect(peer).toMatchObject({ 'remote-transmit-interval': 100, 'remote-receive-interval': 100, 'remote-detect-multiplier': 3 });
    }

    // FRR slows its transmissions and asks for fewer: a Poll Sequence from FRR.
    await frr.configure(['bfd', 'peer 192.0.2.1 local-address 192.0.2.254', 'transmit-interval 300', 'receive-interval 200']);
    await waitFor('vrrpd to follow FRR\'s new timers', async () => {
      const { timers } = await ours.session('up4');
      return timers.transmitInterval === 200_000 && timers.detectionTime === 900_000;
    }, 10_000);
    const after = await ours.session('up4');
    expect(after).toMatchObject({ state: 'Up', upTransitions: 1, downTransitions: 0, polling: false });
    expect((await frr.peer('192.0.2.1'))!).toMatchObject({ status: 'up', 'remote-receive-interval': 100, 'remote-transmit-interval': 100 });

    // vrrpd reloads with new timers for up6: its Poll Sequence, FRR follows, nothing goes down.
    ours.reload(up4() + bfdBlock('up6', { neighbor: '2001:db8::fe', source: '2001:db8::1', minTx: 250, minRx: 400, multiplier: 3 }));
    // FRR reads the new values from vrrpd's Poll packets before it answers with the Final; vrrpd
    // starts sending at the slower 250 ms only once that Final has ended its Poll Sequence (RFC 5880
    // §6.8.3). So wait for both ends.
    await waitFor('FRR to follow vrrpd\'s new timers and vrrpd\'s Poll Sequence to end', async () => {
      const peer = await frr.peer('2001:db8::1');
      const session = await ours.session('up6');
      return peer?.['remote-transmit-interval'] === 250 && peer['remote-receive-interval'] === 400 && !session.polling;
    }, 10_000);
    expect(await ours.session('up6')).toMatchObject({ state: 'Up', upTransitions: 1, downTransitions: 0, polling: false, timers: { transmitInterval: 250_000, detectionTime: 1_200_000 } });
    expect((await frr.counters()).every((peer) => peer['session-down'] === 0)).toBe(true);
    expect(ours.events('bfd-error')).toEqual([]);
    // The sessions' worker thread and its native pacer thread (bfd_pacer.cc, named bfd-pacer) run
    // at nice -10 (root here), the daemon's main thread at 0.
    const nice = (tid: string): number => Number(readFileSync(`/proc/${ours.process.pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const threads = readdirSync(`/proc/${ours.process.pid}/task`);
    const named = (tid: string): string => readFileSync(`/proc/${ours.process.pid}/task/${tid}/comm`, 'utf8').trim();
    expect(nice(String(ours.process.pid))).toBe(0);
    expect(threads.filter((tid) => nice(tid) === -10)).toHaveLength(2);
    expect(threads.filter((tid) => named(tid) === 'bfd-pacer').map(nice)).toEqual([-10]);
    expect(ours.events('bfd-started')[0]).toMatchObject({ threadNice: -10, msg: 'BFD: up4, up6; its thread at nice -10' });
    // `vrrpd status` (text) lists the sessions under their own heading.
    const text = await ours.statusText();
    expect(text.split('\n')[0]).toMatch(/^BFD\s+STATE\s+SINCE\s+PEER\s+REMOTE DISCR\s+TX\s+DETECT\s+LAST DOWN$/);
    expect(text).toMatch(new RegExp(`^up4\\s+Up\\s+[\\d.]+ s\\s+192\\.0\\.2\\.254\\s+${after.remoteDiscr}\\s+200 ms\\s+900 ms\\s+-$`, 'm'));
    // And /metrics, from the sessions' worker thread, says the same.
    const sample = (name: string, bfd: string, peer: string, value: string) => `${name}{bfd="${bfd}",peer="${peer}"} ${value}\n`;
    await waitFor('/metrics to show the agreed timers', async () => (await ours.metrics()).includes(sample('vrrpd_bfd_detection_time_seconds', 'up4', '192.0.2.254', '0.9')), 5000);
    const metrics = await ours.metrics();
    expect(metrics).toContain(sample('vrrpd_bfd_session_state', 'up4', '192.0.2.254', '3'));
    expect(metrics).toContain(sample('vrrpd_bfd_session_state', 'up6', '2001:db8::fe', '3'));
    expect(metrics).toContain(sample('vrrpd_bfd_transmit_interval_seconds', 'up4', '192.0.2.254', '0.2'));
    expect(metrics).toContain(sample('vrrpd_bfd_transmit_interval_seconds', 'up6', '2001:db8::fe', '0.25'));
    expect(metrics).toContain(sample('vrrpd_bfd_session_down_total', 'up4', '192.0.2.254', '0'));
  });

  test('on the wire (tshark): idle_tx while not Up, min_tx with a Poll once Up, TTL 255 and one source port in 49152-65535', { timeout: 60_000 }, async () => {
    const { r1, up } = await twoHosts();
    const capture = await startCapture(up, 'udp dst port 3784 and src host 192.0.2.1');
    running.push(capture);
    const ours = vrrpd(r1, bfdBlock('up4', { neighbor: '192.0.2.254', source: '192.0.2.1', minTx: 100, minRx: 100, multiplier: 3, extra: ['idle_tx 2000'] }));
    // Two packets with nobody answering, then the peer starts.
    await waitFor('two packets while Down', async () => ((await ours.session('up4').catch(() => undefined))?.packetsSent ?? 0) >= 2, 10_000);
    const frr = await bfdd(up, frrPeer('192.0.2.1', '192.0.2.254'));
    await waitFor('the session Up at both ends', async () => (await frr.peer('192.0.2.1'))?.status === 'up' && (await ours.session('up4')).state === 'Up', 20_000);
    const sent = (await ours.session('up4')).packetsSent;
    await waitFor('more packets while Up', async () => (await ours.session('up4')).packetsSent >= sent + 10, 10_000);
    await capture.stop();

    const rows = captureFields(capture.file, ['bfd.sta', 'bfd.desired_min_tx_interval', 'bfd.flags.p', 'bfd.flags.f', 'ip.ttl', 'udp.srcport']);
    const packets = rows.map(([sta, tx, p, f, ttl, port]) => ({ state: Number(sta), tx: Number(tx), poll: p === '1' || p === 'True', final: f === '1' || f === 'True', ttl: Number(ttl), port: Number(port) }));
    const [DOWN, INIT, UP] = [1, 2, 3];
    const notUp = packets.filter((packet) => packet.state === DOWN || packet.state === INIT);
    const isUp = packets.filter((packet) => packet.state === UP);
    expect(notUp.length).toBeGreaterThanOrEqual(2);
    expect(isUp.length).toBeGreaterThanOrEqual(10);
    // RFC 5880 §6.8.3: at least a second while not Up (here idle_tx 2000 ms); the fast rate once Up.
    expect(new Set(notUp.map((packet) => packet.tx))).toEqual(new Set([2_000_000]));
    expect(new Set(isUp.map((packet) => packet.tx))).toEqual(new Set([100_000]));
    // Going Up changed DesiredMinTx: a Poll Sequence (§6.8.3), ended by FRR's Final.
    expect(isUp[0]!.poll).toBe(true);
    expect(isUp.at(-1)!.poll).toBe(false);
    expect(packets.some((packet) => packet.poll && packet.final)).toBe(false);
    // RFC 5881 §5 / §4: TTL 255; one source port for the session's life, from the dynamic range.
    expect(new Set(packets.map((packet) => packet.ttl))).toEqual(new Set([255]));
    const ports = new Set(packets.map((packet) => packet.port));
    expect(ports.size).toBe(1);
    expect([...ports][0]).toBeGreaterThanOrEqual(49152);
  });

  test('passive: vrrpd sends nothing until FRR speaks first; two passive ends stay silent (RFC 5880 §6.1)', { timeout: 60_000 }, async () => {
    const { r1, up } = await twoHosts();
    const frr = await bfdd(up, frrPeer('192.0.2.1', '192.0.2.254', '  receive-interval 100\n  transmit-interval 100\n  passive-mode\n'));
    const passive = vrrpd(r1, bfdBlock('up4', { neighbor: '192.0.2.254', source: '192.0.2.1', minTx: 100, minRx: 100, multiplier: 3, extra: ['passive'] }));
    await waitFor('vrrpd to report the session', async () => (await passive.session('up4').catch(() => undefined)) !== undefined, 10_000);
    // Both passive: a few idle intervals of silence from vrrpd, and nothing from FRR to answer.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await passive.session('up4')).toMatchObject({ state: 'Down', packetsSent: 0, packetsReceived: 0 });
    expect((await frr.peer('192.0.2.1'))!.status).not.toBe('up');
    // FRR leaves passive mode and speaks first: vrrpd answers and the session comes Up.
    await frr.configure(['bfd', 'peer 192.0.2.1 local-address 192.0.2.254', 'no passive-mode']);
    await waitFor('the session Up at both ends', async () => (await frr.peer('192.0.2.1'))?.status === 'up' && (await passive.session('up4')).state === 'Up', 20_000);
    expect((await passive.session('up4')).packetsSent).toBeGreaterThan(0);
  });

  test('a BFD port another daemon holds stops vrrpd from starting, with the reason', { timeout: 60_000 }, async () => {
    const { r1 } = await twoHosts();
    await bfdd(r1, frrPeer('192.0.2.254', '192.0.2.1'));
    const ours = vrrpd(r1, bfdBlock('up4', { neighbor: '192.0.2.254', source: '192.0.2.1' }));
    expect(await ours.exited).toBe(1);
    expect(ours.lines).toContain("vrrpd: cannot open UDP 3784 (IPv4): the port is in use (another BFD daemon (FRR's bfdd, keepalived) may hold UDP 3784 (IPv4) in this network namespace)");
  });

  test('diagnostics: FRR shut down administratively, FRR killed, vrrpd killed, vrrpd stopped', { timeout: 120_000 }, async () => {
    const { r1, up } = await twoHosts();
    let frr = await bfdd(up, frrPeer('192.0.2.1', '192.0.2.254'));
    let ours = vrrpd(r1, up4());
    const bothUp = () =>
      waitFor('the session Up at both ends', async () => (await frr.peer('192.0.2.1'))?.status === 'up' && (await ours.session('up4').catch(() => undefined))?.state === 'Up', 20_000);
    await bothUp();

    // FRR `shutdown`: it sends one AdminDown (FRR 8.4 leaves its Diag at 0 there, where vrrpd sends
    // 7); vrrpd goes Down with "Neighbor Signaled Session Down".
    await frr.configure(['bfd', 'peer 192.0.2.1 local-address 192.0.2.254', 'shutdown']);
    await waitFor('vrrpd to see the AdminDown', async () => (await ours.session('up4')).state === 'Down', 5000);
    expect(await ours.session('up4')).toMatchObject({ localDiag: 3, remoteState: 'AdminDown', remoteDiag: 0, lastDown: { diag: 3, reason: 'Neighbor Signaled Session Down' } });
    await frr.configure(['bfd', 'peer 192.0.2.1 local-address 192.0.2.254', 'no shutdown']);
    await bothUp();

    // FRR dies without a word: vrrpd's Detection Time expires.
    await frr.stop('SIGKILL');
    running.splice(running.indexOf(frr), 1);
    await waitFor('vrrpd to time out', async () => (await ours.session('up4')).state === 'Down', 10_000);
    expect((await ours.session('up4')).lastDown).toMatchObject({ diag: 1, reason: 'Control Detection Time Expired' });

    // vrrpd dies without a word: FRR's Detection Time expires.
    frr = await bfdd(up, frrPeer('192.0.2.1', '192.0.2.254'));
    await bothUp();
    await ours.stop('SIGKILL');
    running.splice(running.indexOf(ours), 1);
    await waitFor('FRR to time out', async () => (await frr.peer('192.0.2.1'))?.status === 'down', 10_000);
    expect(await frr.peer('192.0.2.1')).toMatchObject({ diagnostic: 'control detection time expired' });

    // vrrpd stops (SIGTERM): it says AdminDown, FRR goes Down with "neighbor signaled session down".
    ours = vrrpd(r1, up4());
    await bothUp();
    await ours.stop();
    running.splice(running.indexOf(ours), 1);
    await waitFor('FRR to hear the AdminDown', async () => (await frr.peer('192.0.2.1'))?.status === 'down', 5000);
    expect(await frr.peer('192.0.2.1')).toMatchObject({ diagnostic: 'neighbor signaled session down', 'remote-diagnostic': 'administratively down' });
  });

  test('multi-hop (RFC 5883, UDP 4784) with FRR', { timeout: 60_000 }, async () => {
    const { r1, up } = await twoHosts();
    const frr = await bfdd(up, frrPeer('192.0.2.1', '192.0.2.254', '  receive-interval 200\n  transmit-interval 200\n', true));
    const ours = vrrpd(r1, bfdBlock('far', { neighbor: '192.0.2.254', source: '192.0.2.1', minTx: 200, minRx: 200, extra: ['multihop', 'max_hops 10'] }));
    await waitFor('the multi-hop session Up at both ends', async () => (await frr.peer('192.0.2.1'))?.status === 'up' && (await ours.session('far').catch(() => undefined))?.state === 'Up', 20_000);
    expect(await ours.session('far')).toMatchObject({ multihop: true, remoteDiscr: (await frr.peer('192.0.2.1'))!.id });
    expect((await frr.peer('192.0.2.1'))!.multihop).toBe(true);
  });

  test('multi-hop through a router: max_hops 1 accepts FRR\'s packets one hop away (TTL 254); reloaded with max_hops 0 they are counted as TTL discards and the session times out', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    // r1 (192.0.2.0/24) -- router -- far (198.51.100.0/24); far's eth0 on r1's LAN stays down.
    const r1 = await lab.addHost('r1', ['192.0.2.1/24']);
    const router = await lab.addHost('rt', ['192.0.2.254/24']);
    const far = await lab.addHost('far');
    await lab.addInterface(router, 'eth1', ['198.51.100.254/24']);
    await lab.addInterface(far, 'eth1', ['198.51.100.1/24']);
    await far.ip('link', 'set', 'eth0', 'down');
    await router.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await r1.ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.254');
    await far.ip('route', 'add', '192.0.2.0/24', 'via', '198.51.100.254');
    const frr = await bfdd(far, frrPeer('192.0.2.1', '198.51.100.1', '  receive-interval 200\n  transmit-interval 200\n  detect-multiplier 3\n', true));
    const block = (maxHops: number) => bfdBlock('far', { neighbor: '198.51.100.1', source: '192.0.2.1', minTx: 200, minRx: 200, multiplier: 3, extra: ['multihop', `max_hops ${maxHops}`] });
    const ours = vrrpd(r1, block(1));
    await waitFor('the routed multi-hop session Up at both ends', async () => (await frr.peer('192.0.2.1'))?.status === 'up' && (await ours.session('far').catch(() => undefined))?.state === 'Up', 20_000);
    expect((await ours.status()).bfd!.discarded.ttl).toBe(0);

    ours.reload(block(0));
    await waitFor('vrrpd to refuse TTL 254 and time out', async () => (await ours.session('far')).state === 'Down', 10_000);
    const status = (await ours.status()).bfd!;
    expect(status.sessions[0]).toMatchObject({ lastDown: { diag: 1, reason: 'Control Detection Time Expired' } });
    expect(status.discarded.ttl).toBeGreaterThan(0);
  });

  test('hostile and malformed packets are counted by reason and change nothing; the same packet done right would', { timeout: 90_000 }, async () => {
    const { r1, up } = await twoHosts();
    const intruder = await lab!.addHost('x', ['192.0.2.66/24']);
    // A second of silence before Down: the flood below comes from a process on the same loaded machine.
    const frr = await bfdd(up, frrPeer('192.0.2.1', '192.0.2.254', '  receive-interval 200\n  transmit-interval 200\n  detect-multiplier 5\n'));
    const ours = vrrpd(r1, up4({ minTx: 200, minRx: 200, multiplier: 5 }), { metrics: true });
    await waitFor('the session Up at both ends', async () => (await frr.peer('192.0.2.1'))?.status === 'up' && (await ours.session('up4').catch(() => undefined))?.state === 'Up', 20_000);
    const session = await ours.session('up4');
    // A Down packet as FRR would send it: it would take the session down.
    const down = encodeControlPacket({
      diag: 0, state: 'Down', poll: false, final: false, controlPlaneIndependent: false, authenticationPresent: false, demand: false, multipoint: false,
      detectMult: 3, myDiscriminator: session.remoteDiscr, yourDiscriminator: session.localDiscr, desiredMinTxInterval: 100_000, requiredMinRxInterval: 100_000, requiredMinEchoRxInterval: 0,
    });
    const to = { to: '192.0.2.1', port: 3784 };
    // From the peer's own address but not from a neighbour on the link (TTL 254): RFC 5881 §5.
    await sendDatagrams(up, [{ ...to, from: '192.0.2.254', payload: down, ttl: 254, count: 20 }]);
    // From another host: right discriminator, wrong peer; and a guessed discriminator; malformed ones; a flood.
    const truncated = down.subarray(0, 20);
    const badVersion = Uint8Array.from(down, (byte, i) => (i === 0 ? (2 << 5) | (byte & 0x1f) : byte));
    const zeroMult = Uint8Array.from(down, (byte, i) => (i === 2 ? 0 : byte));
    await sendDatagrams(intruder, [
      { ...to, payload: down, ttl: 255, count: 20 },
      { ...to, payload: truncated, ttl: 255, count: 20 },
      { ...to, payload: badVersion, ttl: 255, count: 20 },
      { ...to, payload: zeroMult, ttl: 255, count: 20 },
      { ...to, payload: down, ttl: 255, count: 5000 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const status = (await ours.status()).bfd!;
    expect(status.sessions[0]).toMatchObject({ state: 'Up', upTransitions: 1, downTransitions: 0 });
    expect(status.discarded).toMatchObject({ ttl: 20, 'too-short': 20, version: 20, 'detect-mult': 20 });
    // The flood outruns the socket's receive buffer: the kernel drops some before vrrpd can count them.
    expect(status.discarded['unknown-discriminator']).toBeGreaterThan(1000);
    expect(status.discarded['unknown-discriminator']).toBeLessThanOrEqual(5020);
    expect((await frr.peer('192.0.2.1'))!.status).toBe('up');
    await waitFor('/metrics to count the discards', async () => (await ours.metrics()).includes('vrrpd_bfd_packets_discarded_total{reason="ttl"} 20\n'), 5000);
    expect(await ours.metrics()).toContain('vrrpd_bfd_packets_discarded_total{reason="version"} 20\n');

    // The control: the same packet from the peer with TTL 255 is obeyed.
    await sendDatagrams(up, [{ ...to, from: '192.0.2.254', payload: down, ttl: 255 }]);
    await waitFor('the forged-right Down to take the session down', async () => (await ours.session('up4')).downTransitions === 1, 5000);
    expect((await ours.session('up4')).lastDown).toMatchObject({ diag: 3 });
  });
});
