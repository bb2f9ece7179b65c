// State dumps in keepalived's formats, so tools written for keepalived read vrrpd's: the data dump
// (SIGUSR1, /tmp/keepalived.data), the statistics (SIGUSR2, /tmp/keepalived.stats) and the JSON
// dump (keepalived's SIGRTMIN+2, /tmp/keepalived.json: an array of {data, stats}). Layout, key names
// and counter names follow keepalived 2.2.7's output; vrrpd writes the VRRP parts only.
import type { RouterStatistics } from '../../vrrp/protocol/statistics.js';
import type { RouterBinding } from './binding.js';
import type { DumpFormat } from '../dump-formats.js';
import type { VrrpRouters, InstanceStatus } from './routers.js';

export interface DumpInstance {
  readonly status: InstanceStatus;
  readonly binding: RouterBinding;
}

/** keepalived's state numbers: VRRP_STATE_INIT 0, BACKUP 1, MASTER 2, FAULT 3. */
export function keepalivedState(state: string): 0 | 1 | 2 | 3 {
  return state === 'Backup' ? 1 : state === 'Master' ? 2 : state === 'Fault' ? 3 : 0;
}

export const KEEPALIVED_STATE_NAMES = ['INIT', 'BACKUP', 'MASTER', 'FAULT'] as const;

export function dumpInstances(daemon: VrrpRouters): DumpInstance[] {
  return daemon.status().flatMap((status) => {
    const running = daemon.running.get(status.name);
    return running ? [{ status, binding: running.binding }] : [];
  });
}

/** keepalived's per-instance counters, from vrrpd's finer ones. */
export function keepalivedCounters(statistics: RouterStatistics) {
  const { rejected } = statistics;
  return {
    advert_rcvd: statistics.advertisementsReceived,
    advert_sent: statistics.advertisementsSent,
    become_master: statistics.becameMaster,
    release_master: statistics.releasedMaster,
    // keepalived folds a short packet and an address count that does not fit into one counter.
    packet_len_err: rejected['too-short'] + rejected['address-count'],
    advert_interval_err: rejected['advert-interval'],
    ip_ttl_err: rejected.ttl,
    invalid_type_rcvd: rejected.type,
    // RFC 9568 §7.1: vrrpd accepts a differing list (as keepalived 2.3.3+) and counts it here.
    addr_list_err: statistics.addressListMismatches,
    invalid_authtype: rejected['auth-type-invalid'],
    authtype_mismatch: rejected['auth-type-mismatch'],
    auth_failure: rejected['auth-failure'],
    pri_zero_rcvd: statistics.priorityZeroReceived,
    pri_zero_sent: statistics.priorityZeroSent,
  };
}

/** The VIP as keepalived writes it: "192.0.2.100/24 dev eth0 scope global". */
function vipText(spec: RouterBinding['addresses'][number]): string {
  return `${spec.address}/${spec.prefixLength} dev ${spec.device} scope ${spec.scope ?? 'global'}${spec.label ? ` label ${spec.label}` : ''}`;
}

function lastTransitionSeconds(status: InstanceStatus, nowMs: number): number {
  return Math.round(nowMs - status.inStateMs) / 1000;
}

export function renderStats(instances: readonly DumpInstance[]): string {
  return instances
    .map(({ status }) => {
      const c = keepalivedCounters(status.statistics);
      return [
        `VRRP Instance: ${status.name}`,
        '  Advertisements:',
        `    Received: ${c.advert_rcvd}`,
        `    Sent: ${c.advert_sent}`,
        `  Became master: ${c.become_master}`,
        `  Released master: ${c.release_master}`,
        '  Packet Errors:',
        `    Length: ${c.packet_len_err}`,
        `    TTL: ${c.ip_ttl_err}`,
        `    Invalid Type: ${c.invalid_type_rcvd}`,
        `    Advertisement Interval: ${c.advert_interval_err}`,
        `    Address List: ${c.addr_list_err}`,
        '  Authentication Errors:',
        `    Invalid Type: ${c.invalid_authtype}`,
        `    Type Mismatch: ${c.authtype_mismatch}`,
        `    Failure: ${c.auth_failure}`,
        '  Priority Zero:',
        `    Received: ${c.pri_zero_rcvd}`,
        `    Sent: ${c.pri_zero_sent}`,
        '',
      ].join('\n');
    })
    .join('');
}

export function renderData(instances: readonly DumpInstance[], nowMs: number = Date.now()): string {
  const lines = ['------< VRRP Topology >------'];
  for (const { status, binding } of instances) {
    const { router } = binding;
    const state = KEEPALIVED_STATE_NAMES[keepalivedState(status.state)];
    const transition = lastTransitionSeconds(status, nowMs);
    lines.push(
      ` VRRP Instance = ${status.name}`,
      `   VRRP Version = ${router.version}`,
      `   State = ${state}`,
      `   Wantstate = ${state}`,
      `   Last transition = ${transition.toFixed(6)} (${new Date(transition * 1000).toUTCString()})`,
      `   Master down timer = ${Math.round(status.masterDownIntervalMs * 1000)} usecs`,
      `   Interface = ${binding.interfaceName}`,
      ...(binding.unicastSource ? [`   Using src_ip = ${binding.unicastSource}`] : []),
      ...(router.unicastPeers.length > 0 ? [`   Unicast peers (${router.unicastPeers.length}):`, ...router.unicastPeers.map((peer) => `     ${peer}`)] : [`   Multicast address ${binding.multicastGroup ?? binding.destinations[0] ?? ''}`]),
      `   Gratuitous ARP delay = ${router.announcements.masterDelayMs / 1000}`,
      `   Gratuitous ARP repeat = ${router.announcements.masterRepeat}`,
      `   Gratuitous ARP refresh = ${router.announcements.masterRefreshMs / 1000}`,
      `   Gratuitous ARP refresh repeat = ${router.announcements.masterRefreshRepeat}`,
      `   Send advert after receive lower priority advert = ${!router.lowerPrioNoAdvert}`,
      `   Send advert after receive higher priority advert = ${router.higherPrioSendAdvert}`,
      `   Virtual Router ID = ${status.vrid}`,
      `   Priority = ${status.basePriority}`,
      `   Effective priority = ${status.effectivePriority}`,
      ...(status.master ? [`   Master router = ${status.master.address}`, `   Master priority = ${status.master.priority}`] : []),
      `   Advert interval = ${router.version === 2 ? `${router.advertIntervalMs / 1000} sec` : `${router.advertIntervalMs} milli-sec`}`,
      `   Preempt = ${router.preempt ? 'enabled' : 'disabled'}`,
      ...(router.preemptDelayMs > 0 ? [`   Preempt delay = ${router.preemptDelayMs / 1000} secs`] : []),
      `   Authentication type = ${router.authentication ? 'SIMPLE_PASSWORD' : 'none'}`,
      `   Virtual IP (${binding.addresses.length}):`,
      ...binding.addresses.map((spec) => `     ${vipText(spec)}`),
    );
  }
  return lines.join('\n') + '\n';
}

/** keepalived's JSON dump: the keys its exporters read, with keepalived's names and units. */
export function renderJson(instances: readonly DumpInstance[], nowMs: number = Date.now()): string {
  const entries = instances.map(({ status, binding }) => {
    const { router } = binding;
    const state = keepalivedState(status.state);
    return {
      data: {
        iname: status.name,
        ifp_ifname: binding.interfaceName,
        master_priority: status.master?.priority ?? 0,
        last_transition: lastTransitionSeconds(status, nowMs),
        garp_delay: router.announcements.masterDelayMs / 1000,
        garp_refresh: router.announcements.masterRefreshMs / 1000,
        garp_rep: router.announcements.masterRepeat,
        garp_refresh_rep: router.announcements.masterRefreshRepeat,
        lower_prio_no_advert: router.lowerPrioNoAdvert ? 1 : 0,
        higher_prio_send_advert: router.higherPrioSendAdvert ? 1 : 0,
        vrid: status.vrid,
        base_priority: status.basePriority,
        effective_priority: status.effectivePriority,
        vipset: status.state === 'Master',
        // keepalived writes whole seconds for v2, and (as a fraction) for v3's centiseconds.
        adver_int: router.advertIntervalMs / 1000,
        master_adver_int: status.advertIntervalMs / 1000,
        nopreempt: !router.preempt,
        preempt_delay: router.preemptDelayMs / 1000,
        state,
        wantstate: state,
        version: router.version,
        vips: binding.addresses.map(vipText),
        auth_type: router.authentication ? 1 : 0,
      },
      stats: keepalivedCounters(status.statistics),
    };
  });
  return JSON.stringify(entries);
}

export function renderDump(format: DumpFormat, instances: readonly DumpInstance[], nowMs: number = Date.now()): string {
  if (format === 'data') return renderData(instances, nowMs);
  if (format === 'stats') return renderStats(instances);
  return renderJson(instances, nowMs);
}
