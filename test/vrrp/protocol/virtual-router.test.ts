// Every transition of RFC 5798 §6.4 (and keepalived's Fault state), one router at a time:
// events in, actions out, times exact. Priority 100 with 1 s adverts gives
// Skew_Time = 156/256 s = 609.375 ms and Master_Down_Interval = 3609.375 ms.
import { describe, expect, test } from 'vitest';
import { Harness, PEER_HIGHER_ADDRESS, PEER_LOWER_ADDRESS } from './harness.js';

const MDI_100 = 3609.375;
const SKEW_100 = 609.375;

describe('Initialize (RFC 5798 §6.4.1)', () => {
  test('the address owner (priority 255) becomes Master at once and advertises', () => {
    const h = new Harness({ priority: 255 });
    h.router.start();
    expect(h.take()).toEqual(['0 Initialize->Master address-owner', '0 advertise 255', '0 add 192.0.2.100', '0 announce 5']);
    h.clock.advanceBy(2000);
    expect(h.take()).toEqual(['1000 advertise 255', '2000 advertise 255']);
  });

  test('any other priority becomes Backup with Master_Down_Timer = Master_Down_Interval', () => {
    const h = new Harness();
    h.router.start();
    expect(h.take()).toEqual(['0 Initialize->Backup startup']);
    h.clock.advanceTo(MDI_100 - 0.001);
    expect(h.take()).toEqual([]);
    h.clock.advanceTo(MDI_100);
    expect(h.take()).toEqual([
      `${MDI_100} Backup->Master master-down`,
      `${MDI_100} advertise 100`,
      `${MDI_100} add 192.0.2.100`,
      `${MDI_100} announce 5`,
    ]);
  });

  test('vrrp_startup_delay holds the Startup event back', () => {
    const h = new Harness();
    h.router.start(5000);
    expect(h.take()).toEqual([]);
    h.clock.advanceTo(5000);
    expect(h.take()).toEqual(['5000 Initialize->Backup startup']);
  });

  test('state MASTER below 255 still starts as Backup (keepalived)', () => {
    const h = new Harness({ initialState: 'MASTER' });
    h.router.start();
    expect(h.take()).toEqual(['0 Initialize->Backup startup']);
  });
});

describe('Backup (RFC 5798 §6.4.2)', () => {
  test('Shutdown cancels the Master_Down_Timer and returns to Initialize', () => {
    const h = new Harness().startAsBackup();
    h.router.shutdown();
    expect(h.take()).toEqual(['0 Backup->Initialize shutdown']);
    h.clock.advanceBy(10_000);
    expect(h.take()).toEqual([]);
  });

  test('an advertisement of higher priority resets the Master_Down_Timer', () => {
    const h = new Harness().startAsBackup();
    h.clock.advanceTo(3000);
    expect(h.advertise(150)).toEqual({ accepted: true, addressListDiffers: false });
    h.clock.advanceTo(3000 + MDI_100 - 0.001);
    expect(h.router.state).toBe('Backup');
    h.clock.advanceTo(3000 + MDI_100);
    expect(h.take()[0]).toBe(`${3000 + MDI_100} Backup->Master master-down`);
  });

  test('an advertisement of equal priority also resets it: no flapping between equals', () => {
    const h = new Harness().startAsBackup();
    for (let t = 1000; t <= 60_000; t += 1000) {
      h.clock.advanceTo(t);
      h.advertise(100, { from: PEER_LOWER_ADDRESS });
    }
    h.clock.advanceTo(60_000 + MDI_100 - 0.001);
    expect(h.take()).toEqual([]);
  });

  test('VRRPv3: the Master_Adver_Interval is learnt from the Master and sets Master_Down_Interval', () => {
    const h = new Harness({ advertIntervalMs: 1000 }).startAsBackup();
    h.advertise(150, { intervalMs: 2000 });
    // 3 × 2000 + (156 × 2000) / 256 = 7218.75
    expect(h.router.status().masterDownIntervalMs).toBe(7218.75);
    h.clock.advanceTo(7218.75);
    expect(h.router.state).toBe('Master');
  });

  test('VRRPv2: Skew_Time is (256 - Priority) / 256 seconds whatever the interval', () => {
    const h = new Harness({ version: 2, advertIntervalMs: 3000 });
    h.router.start();
    expect(h.router.status().masterDownIntervalMs).toBe(9000 + SKEW_100);
  });

  test('an advertisement read late restarts the Master_Down_Timer from its arrival (RFC 5798 §6.4.2: the Master has been silent since)', () => {
    const h = new Harness().startAsBackup();
    h.clock.advanceTo(1000);
    h.advertise(150);
    // Arrived at 2000, read at 2005 (the loop was busy).
    h.clock.advanceTo(2005);
    h.advertise(150, { receivedAt: 2000 });
    h.clock.advanceTo(2000 + 3000 + SKEW_100 - 0.001);
    expect(h.router.state).toBe('Backup');
    h.clock.advanceTo(2000 + 3000 + SKEW_100);
    expect(h.take()[0]).toBe(`${2000 + 3000 + SKEW_100} Backup->Master master-down`);
  });

  test('a priority-0 advertisement read late: the Backup takes over Skew_Time after its arrival', () => {
    const h = new Harness().startAsBackup();
    h.advertise(150);
    h.clock.advanceTo(2003);
    h.advertise(0, { receivedAt: 2000 });
    h.clock.advanceTo(2000 + SKEW_100);
    expect(h.take()[0]).toBe(`${2000 + SKEW_100} Backup->Master master-released`);
  });

  test('a priority-0 advertisement makes the Backup take over after Skew_Time', () => {
    const h = new Harness().startAsBackup();
    h.clock.advanceTo(1000);
    h.advertise(150);
    h.clock.advanceTo(2000);
    h.advertise(0);
    h.clock.advanceTo(2000 + SKEW_100);
    expect(h.take()[0]).toBe(`${2000 + SKEW_100} Backup->Master master-released`);
  });

  test('with preemption a lower-priority Master is discarded, so the timer runs out', () => {
    const h = new Harness({ priority: 200 }).startAsBackup();
    h.clock.advanceTo(1000);
    h.advertise(100);
    // Skew for 200: 56/256 s = 218.75 ms; Master_Down_Interval 3218.75 ms from startup.
    h.clock.advanceTo(3218.75);
    expect(h.take()[0]).toBe('3218.75 Backup->Master preempt');
  });

  test('with nopreempt a lower-priority Master keeps the Backup quiet', () => {
    const h = new Harness({ priority: 200, preempt: false }).startAsBackup();
    for (let t = 1000; t <= 30_000; t += 1000) {
      h.clock.advanceTo(t);
      h.advertise(100);
    }
    h.clock.advanceTo(30_000 + 3218.75 - 0.001);
    expect(h.router.state).toBe('Backup');
    h.clock.advanceTo(30_000 + 3218.75);
    expect(h.router.state).toBe('Master');
  });

  test('state MASTER disables nopreempt, as keepalived does', () => {
    const h = new Harness({ priority: 200, preempt: false, initialState: 'MASTER' }).startAsBackup();
    h.clock.advanceTo(1000);
    h.advertise(100);
    h.clock.advanceTo(3218.75);
    expect(h.router.state).toBe('Master');
  });

  test('the address owner preempts even with nopreempt (RFC 5798 §6.1 Preempt_Mode)', () => {
    const h = new Harness({ priority: 255, preempt: false });
    h.router.start();
    h.advertise(254);
    expect(h.router.state).toBe('Master');
  });

  test('preempt_delay tolerates a lower-priority Master for the delay, then preempts', () => {
    const h = new Harness({ priority: 200, preemptDelayMs: 10_000 }).startAsBackup();
    for (let t = 1000; t <= 20_000; t += 1000) {
      h.clock.advanceTo(t);
      h.advertise(100);
      if (h.router.state === 'Master') break;
    }
    // The first lower advertisement at 1000 starts the delay; the last one tolerated arrives at
    // 10000 (deadline 11000 exclusive), so the timer runs out at 10000 + 3218.75.
    const transitions = h.take().filter((line) => line.includes('->'));
    expect(transitions).toEqual(['13218.75 Backup->Master preempt']);
  });

  test('a higher-priority advertisement restarts the preempt_delay', () => {
    const h = new Harness({ priority: 200, preemptDelayMs: 5000 }).startAsBackup();
    h.clock.advanceTo(1000);
    h.advertise(100); // delay runs until 6000
    h.clock.advanceTo(2000);
    h.advertise(250); // a better Master: the delay is forgotten
    h.clock.advanceTo(3000);
    h.advertise(100); // delay runs again until 8000
    for (let t = 4000; t <= 8000; t += 1000) {
      h.clock.advanceTo(t);
      h.advertise(100);
    }
    h.clock.advanceTo(7000 + 3218.75);
    expect(h.take().filter((line) => line.includes('->'))).toEqual(['10218.75 Backup->Master preempt']);
  });
});

describe('Master (RFC 5798 §6.4.3)', () => {
  test('the Adver_Timer sends an advertisement every Advertisement_Interval', () => {
    const h = new Harness({ advertIntervalMs: 100 });
    h.router.start();
    h.clock.advanceTo(h.router.status().masterDownIntervalMs);
    const start = h.clock.now();
    h.take();
    h.clock.advanceTo(start + 300);
    expect(h.take()).toEqual([`${start + 100} advertise 100`, `${start + 200} advertise 100`, `${start + 300} advertise 100`]);
  });

  test('Shutdown sends priority 0, removes the addresses and returns to Initialize', () => {
    const h = new Harness().startAsMaster();
    h.router.shutdown();
    expect(h.take()).toEqual([`${MDI_100} Master->Initialize shutdown`, `${MDI_100} advertise 0`, `${MDI_100} remove 192.0.2.100`]);
    expect(h.router.statistics.priorityZeroSent).toBe(1);
  });

  test('a priority-0 advertisement is answered at once', () => {
    const h = new Harness().startAsMaster();
    h.clock.advanceBy(500);
    h.advertise(0);
    expect(h.take()).toEqual([`${MDI_100 + 500} advertise 100`]);
    // The Adver_Timer restarted from the answer.
    h.clock.advanceBy(1000);
    expect(h.take()).toEqual([`${MDI_100 + 1500} advertise 100`]);
  });

  test('a higher priority makes the Master a Backup, without priority 0', () => {
    const h = new Harness().startAsMaster();
    h.advertise(150, { intervalMs: 2000 });
    expect(h.take()).toEqual([`${MDI_100} Master->Backup higher-priority`, `${MDI_100} remove 192.0.2.100`]);
    expect(h.router.status().masterDownIntervalMs).toBe(7218.75);
    expect(h.router.status().lastMaster).toEqual({ address: PEER_HIGHER_ADDRESS, priority: 150 });
  });

  test('an equal priority from a higher primary address wins the tie', () => {
    const h = new Harness().startAsMaster();
    h.advertise(100, { from: PEER_HIGHER_ADDRESS });
    expect(h.take()[0]).toBe(`${MDI_100} Master->Backup equal-priority-higher-address`);
  });

  test('an equal priority from a lower primary address loses; keepalived answers it', () => {
    const h = new Harness().startAsMaster();
    h.advertise(100, { from: PEER_LOWER_ADDRESS });
    expect(h.take()).toEqual([`${MDI_100} advertise 100`, `${MDI_100} lower-priority Master ${PEER_LOWER_ADDRESS} 100`]);
    expect(h.router.state).toBe('Master');
  });

  test('the tie compares addresses as unsigned integers, not as text (IPv6 too)', () => {
    const h = new Harness({ family: 'ipv6', virtualAddresses: ['2001:db8::100'] });
    // fe80::9 < fe80::10 numerically, though "9" > "1" as text.
    const router = h.router;
    router.setPrimaryAddress('fe80::9');
    router.start();
    h.clock.advanceTo(MDI_100);
    h.advertise(100, { from: 'fe80::10' });
    expect(router.state).toBe('Backup');
  });

  test('a lower priority is answered with an advertisement, unless lower_prio_no_advert; either way it is reported (notify_master_rx_lower_pri)', () => {
    const chatty = new Harness().startAsMaster();
    chatty.advertise(50);
    expect(chatty.take()).toEqual([`${MDI_100} advertise 100`, `${MDI_100} lower-priority Master ${PEER_HIGHER_ADDRESS} 50`]);
    const quiet = new Harness({ lowerPrioNoAdvert: true }).startAsMaster();
    quiet.advertise(50);
    expect(quiet.take()).toEqual([`${MDI_100} lower-priority Master ${PEER_HIGHER_ADDRESS} 50`]);
  });

  test('priority 0 (a Master resigning) is answered but is not a lower-priority Master', () => {
    const h = new Harness().startAsMaster();
    h.advertise(0);
    expect(h.take()).toEqual([`${MDI_100} advertise 100`]);
  });

  test('higher_prio_send_advert advertises once more before yielding', () => {
    const h = new Harness({ higherPrioSendAdvert: true }).startAsMaster();
    h.advertise(150);
    expect(h.take()).toEqual([`${MDI_100} advertise 100`, `${MDI_100} Master->Backup higher-priority`, `${MDI_100} remove 192.0.2.100`]);
  });

  test('a lower effective priority is advertised at once', () => {
    const h = new Harness().startAsMaster();
    h.clock.advanceBy(300);
    h.router.setPriority(40);
    expect(h.take()).toEqual([`${MDI_100 + 300} priority 100->40`, `${MDI_100 + 300} advertise 40`]);
  });

  test('a priority change is reported once the router runs, not while it is configured', () => {
    const h = new Harness();
    h.router.setPriority(90);
    h.router.start();
    h.router.setPriority(90);
    h.router.setPriority(80);
    expect(h.take()).toEqual(['0 Initialize->Backup startup', '0 priority 90->80']);
  });

  test('gratuitous ARP: a burst on becoming Master, another after garp_master_delay, refresh if set', () => {
    const h = new Harness({ announcements: { masterRepeat: 3, masterDelayMs: 5000, masterRefreshMs: 60_000, masterRefreshRepeat: 2 } });
    h.router.start();
    h.clock.advanceTo(MDI_100 + 130_000);
    const announcements = h.take().filter((line) => line.includes('announce'));
    expect(announcements).toEqual([
      `${MDI_100} announce 3`,
      `${MDI_100 + 5000} announce 3`,
      `${MDI_100 + 60_000} announce 2`,
      `${MDI_100 + 120_000} announce 2`,
    ]);
  });

  test('leaving Master cancels pending announcements', () => {
    const h = new Harness().startAsMaster();
    // The second burst was due at MDI + 5000; the new Master keeps us Backup past it.
    for (let i = 0; i < 10; i++) {
      h.advertise(200);
      h.clock.advanceBy(1000);
    }
    expect(h.router.state).toBe('Backup');
    expect(h.take().filter((line) => line.includes('announce'))).toEqual([]);
  });
});

describe('Fault (keepalived)', () => {
  test('Backup to Fault stops the timers; clearing it starts over as Backup', () => {
    const h = new Harness().startAsBackup();
    h.router.setFault(true, 'interface eth0 down');
    expect(h.take()).toEqual(['0 Backup->Fault fault']);
    h.clock.advanceBy(60_000);
    expect(h.take()).toEqual([]);
    h.router.setFault(false, 'interface eth0 up');
    expect(h.take()).toEqual(['60000 Fault->Backup fault-cleared']);
    h.clock.advanceBy(MDI_100);
    expect(h.router.state).toBe('Master');
  });

  test('Master to Fault sends priority 0 and removes the addresses', () => {
    const h = new Harness().startAsMaster();
    h.router.setFault(true, 'track script chk_haproxy failed');
    expect(h.take()).toEqual([`${MDI_100} Master->Fault fault`, `${MDI_100} advertise 0`, `${MDI_100} remove 192.0.2.100`]);
    expect(h.router.statistics.releasedMaster).toBe(1);
  });

  test('the fault detail travels with the transition', () => {
    const h = new Harness().startAsBackup();
    h.router.setFault(true, 'interface eth0 down');
    const transition = h.actions[0]?.action;
    expect(transition).toMatchObject({ type: 'transition', to: 'Fault', detail: 'interface eth0 down' });
  });

  test('a router faulted before startup starts in Fault', () => {
    const h = new Harness();
    h.router.setFault(true);
    h.router.start();
    expect(h.take()).toEqual(['0 Initialize->Fault fault']);
  });

  test('the address owner returns from Fault straight to Master', () => {
    const h = new Harness({ priority: 255 });
    h.router.start();
    h.router.setFault(true);
    h.take();
    h.router.setFault(false);
    expect(h.take()[0]).toBe('0 Fault->Master fault-cleared');
  });

  test('Shutdown from Fault returns to Initialize quietly', () => {
    const h = new Harness().startAsBackup();
    h.router.setFault(true);
    h.take();
    h.router.shutdown();
    expect(h.take()).toEqual(['0 Fault->Initialize shutdown']);
  });

  test('advertisements heard in Fault are counted and ignored', () => {
    const h = new Harness().startAsBackup();
    h.router.setFault(true);
    h.take();
    h.advertise(0);
    h.clock.advanceBy(10_000);
    expect(h.take()).toEqual([]);
    expect(h.router.statistics.advertisementsReceived).toBe(1);
  });
});

describe('receive checks (RFC 3768 §7.1, RFC 5798 §7.1)', () => {
  test('TTL other than 255 is rejected and counted, and does not reset the timer', () => {
    const h = new Harness().startAsBackup();
    h.clock.advanceTo(3000);
    const outcome = h.advertise(150, { ttl: 254 });
    expect(outcome).toEqual({ accepted: false, rejection: { reason: 'ttl', detail: `TTL 254 from ${PEER_HIGHER_ADDRESS}, must be 255` } });
    expect(h.router.statistics.rejected.ttl).toBe(1);
    h.clock.advanceTo(MDI_100);
    expect(h.router.state).toBe('Master');
  });

  test('in unicast mode the TTL is not checked (as keepalived, which sends IPv6 unicast with hop limit 64); the source must be a peer', () => {
    const h = new Harness({ unicastPeers: [PEER_HIGHER_ADDRESS] }).startAsBackup();
    expect(h.advertise(150, { ttl: 64 })).toEqual({ accepted: true, addressListDiffers: false });
    expect(h.advertise(150, { ttl: 64, from: PEER_LOWER_ADDRESS })).toMatchObject({ accepted: false, rejection: { reason: 'unicast-source' } });
    expect(h.router.statistics.rejected.ttl).toBe(0);
  });

  test('a VRRPv3 advertisement to a VRRPv2 router is a version error', () => {
    const v2 = new Harness({ version: 2 }).startAsBackup();
    const v3 = new Harness({ version: 3 });
    const advertisement = { version: 3 as const, vrid: 1, priority: 200, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] };
    expect(v2.router.receive(advertisement, { source: PEER_HIGHER_ADDRESS, ttl: 255 })).toMatchObject({ accepted: false, rejection: { reason: 'version' } });
    expect(v3.router.statistics.rejected.version).toBe(0);
  });

  test('VRRPv2 advertisement interval mismatch is rejected; v3 adopts the Master interval instead', () => {
    const v2 = new Harness({ version: 2 }).startAsBackup();
    expect(v2.advertise(150, { intervalMs: 2000 })).toEqual({
      accepted: false,
      rejection: { reason: 'advert-interval', detail: `advertisement interval 2 s from ${PEER_HIGHER_ADDRESS}, ours is 1 s` },
    });
    const v3 = new Harness({ version: 3 }).startAsBackup();
    expect(v3.advertise(150, { intervalMs: 2000 }).accepted).toBe(true);
  });

  test('VRRPv2 authentication: type mismatch, wrong password, unknown type', () => {
    const h = new Harness({ version: 2, authentication: { password: 'secret12' } }).startAsBackup();
    const base = { version: 2 as const, vrid: 1, priority: 150, advertIntervalSeconds: 1, addresses: ['192.0.2.100'] };
    const packet = { source: PEER_HIGHER_ADDRESS, ttl: 255 };
    const password = (text: string): Uint8Array => {
      const bytes = new Uint8Array(8);
      bytes.set(new TextEncoder().encode(text));
      return bytes;
    };
    expect(h.router.receive({ ...base, authType: 0, authData: new Uint8Array(8) }, packet)).toMatchObject({ rejection: { reason: 'auth-type-mismatch' } });
    expect(h.router.receive({ ...base, authType: 1, authData: password('secret13') }, packet)).toMatchObject({ rejection: { reason: 'auth-failure' } });
    expect(h.router.receive({ ...base, authType: 7, authData: password('secret12') }, packet)).toMatchObject({ rejection: { reason: 'auth-type-invalid' } });
    expect(h.router.receive({ ...base, authType: 1, authData: password('secret12') }, packet)).toEqual({ accepted: true, addressListDiffers: false });
  });

  test('in unicast mode, advertisements from non-peers are rejected', () => {
    const h = new Harness({ unicastPeers: [PEER_LOWER_ADDRESS] }).startAsBackup();
    expect(h.advertise(200, { from: PEER_HIGHER_ADDRESS })).toMatchObject({ rejection: { reason: 'unicast-source' } });
    expect(h.advertise(200, { from: PEER_LOWER_ADDRESS }).accepted).toBe(true);
  });

  test('a different address list is accepted and counted (RFC 9568 §7.1)', () => {
    const h = new Harness().startAsBackup();
    const outcome = h.router.receive(
      { version: 3, vrid: 1, priority: 150, maxAdvertIntervalCs: 100, addresses: ['192.0.2.101'] },
      { source: PEER_HIGHER_ADDRESS, ttl: 255 },
    );
    expect(outcome).toEqual({ accepted: true, addressListDiffers: true });
    expect(h.router.statistics.addressListMismatches).toBe(1);
  });
});

describe('statistics', () => {
  test('count what keepalived counts', () => {
    const h = new Harness();
    h.router.start();
    h.clock.advanceTo(MDI_100 + 2000);
    h.advertise(0);
    h.advertise(200);
    h.router.shutdown();
    const s = h.router.statistics;
    expect(s.becameMaster).toBe(1);
    expect(s.releasedMaster).toBe(1);
    expect(s.advertisementsReceived).toBe(2);
    expect(s.priorityZeroReceived).toBe(1);
    // 1 on becoming Master, 2 from the timer, 1 answering priority 0; Backup sends nothing on shutdown.
    expect(s.advertisementsSent).toBe(4);
    expect(s.priorityZeroSent).toBe(0);
  });
});

describe('VRRPv2 interoperation (RFC 5798 §8.4.2)', () => {
  const v2From = (priority: number, seconds: number) => ({
    version: 2 as const,
    vrid: 1,
    priority,
    advertIntervalSeconds: seconds,
    authType: 0,
    authData: new Uint8Array(8),
    addresses: ['192.0.2.100'],
  });

  test('a v3 router with v2Interop follows a v2 Master, timing out on its interval in seconds', () => {
    const h = new Harness({ version: 3, v2Interop: true, advertIntervalMs: 1000 }).startAsBackup();
    expect(h.router.receive(v2From(150, 2), { source: PEER_HIGHER_ADDRESS, ttl: 255 })).toEqual({ accepted: true, addressListDiffers: false });
    expect(h.router.status().masterDownIntervalMs).toBe(7218.75);
  });

  test('without v2Interop a v2 advertisement is a version error', () => {
    const h = new Harness({ version: 3 }).startAsBackup();
    expect(h.router.receive(v2From(150, 1), { source: PEER_HIGHER_ADDRESS, ttl: 255 })).toMatchObject({ rejection: { reason: 'version' } });
  });

  test('as Master it sends both versions each interval, even sub-second', () => {
    const h = new Harness({ version: 3, v2Interop: true, advertIntervalMs: 100 }).startAsMaster();
    h.clock.advanceBy(100);
    const sent = h.actions.filter(({ action }) => action.type === 'send-advertisement');
    expect(sent.map(({ action }) => (action.type === 'send-advertisement' ? action.advertisement : undefined))).toMatchObject([
      { version: 3, maxAdvertIntervalCs: 10 },
      { version: 2, advertIntervalSeconds: 1 },
    ]);
  });

  test("v2 copies from a Master heard speaking v3 are ignored: its v3 interval rules", () => {
    const h = new Harness({ version: 3, v2Interop: true }).startAsBackup();
    h.advertise(150, { intervalMs: 500 });
    h.router.receive(v2From(150, 1), { source: PEER_HIGHER_ADDRESS, ttl: 255 });
    // 3 × 500 + 156 × 500 / 256 = 1804.6875, not the 1 s of the v2 copy.
    expect(h.router.status().masterDownIntervalMs).toBe(1804.6875);
  });
});
