// Prometheus text exposition (format 0.0.4) of the daemon's state. The keepalived_* families carry
// the names and labels of the widely used keepalived exporter (mehdy/keepalived-exporter), so its
// dashboards and alerts work unchanged; the vrrpd_* families add what keepalived does not expose.
// Every family is documented in docs/operations.md ("Metrics").
import { compareAddresses } from '../../core/address.js';
import { REJECT_REASONS } from '../../vrrp/packet/rejection.js';
import { MetricFamilies, type Labels } from '../prometheus.js';
import { keepalivedCounters, keepalivedState, KEEPALIVED_STATE_NAMES, type DumpInstance } from './dumps.js';

/** The exporter's counters: [metric name, help, keepalived stats key]. */
const KEEPALIVED_COUNTERS = [
  ['keepalived_advertisements_received_total', 'Advertisements received', 'advert_rcvd'],
  ['keepalived_advertisements_sent_total', 'Advertisements sent', 'advert_sent'],
  ['keepalived_become_master_total', 'Became master', 'become_master'],
  ['keepalived_release_master_total', 'Released master', 'release_master'],
  ['keepalived_packet_length_errors_total', 'Packet length errors', 'packet_len_err'],
  ['keepalived_advertisements_interval_errors_total', 'Advertisement interval errors', 'advert_interval_err'],
  ['keepalived_ip_ttl_errors_total', 'TTL errors', 'ip_ttl_err'],
  ['keepalived_invalid_type_received_total', 'Invalid type errors', 'invalid_type_rcvd'],
  ['keepalived_address_list_errors_total', 'Address list errors', 'addr_list_err'],
  ['keepalived_authentication_invalid_total', 'Authentication invalid', 'invalid_authtype'],
  ['keepalived_authentication_mismatch_total', 'Authentication mismatch', 'authtype_mismatch'],
  ['keepalived_authentication_failure_total', 'Authentication failure', 'auth_failure'],
  ['keepalived_priority_zero_received_total', 'Priority zero received', 'pri_zero_rcvd'],
  ['keepalived_priority_zero_sent_total', 'Priority zero sent', 'pri_zero_sent'],
] as const;

/**
 * The virtual router's identity across hosts, for alerts that count Masters per virtual router:
 * VRID and family name a virtual router only on one link (RFC 5798 §4), and interface and instance
 * names are each host's own, but the advertised addresses are what every router of one virtual
 * router must agree on (RFC 5798 §5.2.9; a difference is a misconfiguration, RFC 9568 §7.1). They
 * are sorted, so the order in each host's file does not matter; excluded addresses are not
 * advertised and are left out.
 */
export function vipsLabel(instance: DumpInstance): string {
  const { family, virtualAddresses } = instance.binding.router;
  return [...virtualAddresses].sort((a, b) => compareAddresses(family, a, b)).join(',');
}

export function renderMetrics(instances: readonly DumpInstance[]): string {
  const families = new MetricFamilies();
  const family = families.family.bind(families);

  family('keepalived_up', 'gauge', 'Status (always 1 while vrrpd answers)').samples.push({ labels: {}, value: 1 });
  const vipStates = family('keepalived_vrrp_state', 'gauge', 'State of vrrp: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT (one sample per virtual address)');
  for (const { status, binding } of instances) {
    for (const spec of binding.addresses) {
      vipStates.samples.push({
        labels: { iname: status.name, intf: spec.device, vrid: status.vrid, ip_address: `${spec.address}/${spec.prefixLength}` },
        value: keepalivedState(status.state),
      });
    }
  }
  // The exporter's common labels: iname, intf, vrid and the state's name.
  const common = ({ status }: DumpInstance): Labels => ({
    iname: status.name,
    intf: status.interface,
    vrid: status.vrid,
    state: KEEPALIVED_STATE_NAMES[keepalivedState(status.state)],
  });
  const garp = family('keepalived_gratuitous_arp_delay_total', 'counter', 'Gratuitous ARP delay (seconds, keepalived garp_master_delay)');
  for (const entry of instances) garp.samples.push({ labels: common(entry), value: entry.binding.router.announcements.masterDelayMs / 1000 });
  for (const [name, help, key] of KEEPALIVED_COUNTERS) {
    const counter = family(name, 'counter', help);
    for (const entry of instances) counter.samples.push({ labels: common(entry), value: keepalivedCounters(entry.status.statistics)[key] });
  }

  // vrrpd's own, labelled without the state so that series survive transitions.
  const own = ({ status }: DumpInstance): Labels => ({ iname: status.name, intf: status.interface, vrid: status.vrid });
  const gauge = (name: string, help: string, value: (entry: DumpInstance) => number): void => {
    const created = family(name, 'gauge', help);
    for (const entry of instances) created.samples.push({ labels: own(entry), value: value(entry) });
  };
  const counter = (name: string, help: string, value: (entry: DumpInstance) => number): void => {
    const created = family(name, 'counter', help);
    for (const entry of instances) created.samples.push({ labels: own(entry), value: value(entry) });
  };
  // The state and the info carry the cross-host identity (family, vips) too: one series per
  // instance, so that alerts count daemons, not addresses (keepalived_vrrp_state has one per VIP).
  const identity = (entry: DumpInstance): Labels => ({ ...own(entry), family: entry.status.family, vips: vipsLabel(entry) });
  const states = family('vrrpd_instance_state', 'gauge', 'State: 0 Initialize, 1 Backup, 2 Master, 3 Fault');
  for (const entry of instances) states.samples.push({ labels: identity(entry), value: keepalivedState(entry.status.state) });
  const info = family('vrrpd_instance_info', 'gauge', 'Constant 1, with the VRRP version, address family and advertised addresses as labels');
  for (const entry of instances) info.samples.push({ labels: { ...identity(entry), version: entry.status.version }, value: 1 });
  gauge('vrrpd_base_priority', 'Configured priority (1..255)', (e) => e.status.basePriority);
  gauge('vrrpd_effective_priority', 'Priority advertised now (override or tracking applied)', (e) => e.status.effectivePriority);
  gauge('vrrpd_priority_override', 'Runtime override set by `vrrpd priority` (0 when none)', (e) => e.status.priorityOverride ?? 0);
  gauge('vrrpd_master_priority', 'Priority of the Master heard last (0 when this router is Master or none heard)', (e) => e.status.master?.priority ?? 0);
  gauge('vrrpd_advert_interval_seconds', 'Configured Advertisement_Interval', (e) => e.binding.router.advertIntervalMs / 1000);
  gauge('vrrpd_master_down_interval_seconds', 'Master_Down_Interval now (RFC 5798 §6.1)', (e) => e.status.masterDownIntervalMs / 1000);
  gauge('vrrpd_state_duration_seconds', 'Time since the last transition', (e) => e.status.inStateMs / 1000);
  counter('vrrpd_transitions_total', 'State transitions of any kind', (e) => e.status.statistics.transitions);
  // The exporter's advertisement counters change series with the state label, so rate() over a
  // transition sees a series restart at the running total; these two keep one series per instance.
  counter('vrrpd_advertisements_sent_total', 'Advertisements sent (priority 0 included)', (e) => e.status.statistics.advertisementsSent);
  counter('vrrpd_advertisements_received_total', 'Advertisements accepted', (e) => e.status.statistics.advertisementsReceived);
  counter('vrrpd_gratuitous_announcements_total', 'Gratuitous ARPs (IPv4) or unsolicited NAs (IPv6) sent, one per address per repetition', (e) => e.status.statistics.announcementsSent);
  counter('vrrpd_address_list_mismatches_total', 'Accepted advertisements whose address list differs from ours (RFC 9568 §7.1)', (e) => e.status.statistics.addressListMismatches);
  const rejected = family('vrrpd_advertisements_rejected_total', 'counter', 'Advertisements for this virtual router that were dropped, by reason');
  for (const entry of instances) {
    for (const reason of REJECT_REASONS) rejected.samples.push({ labels: { ...own(entry), reason }, value: entry.status.statistics.rejected[reason] });
  }
  const checksums = family('vrrpd_checksum_flavour_received_total', 'counter', 'Accepted VRRPv3-over-IPv4 advertisements by checksum flavour');
  for (const entry of instances) {
    for (const [flavour, value] of Object.entries(entry.status.statistics.checksumFlavours)) checksums.samples.push({ labels: { ...own(entry), flavour }, value });
  }
  // Tracking: keepalived's exporter reports each vrrp_script once (1 good, 0 bad); vrrpd adds every
  // tracked object per instance with what it does to the priority.
  const scripts = family('keepalived_script_status', 'gauge', 'vrrp_script result: 1 good, 0 bad');
  const seenScripts = new Set<string>();
  for (const { status } of instances) {
    for (const tracker of status.trackers) {
      if (tracker.kind !== 'script' || seenScripts.has(tracker.name)) continue;
      seenScripts.add(tracker.name);
      scripts.samples.push({ labels: { name: tracker.name }, value: tracker.state === 'ok' ? 1 : 0 });
    }
  }
  const trackerOk = family('vrrpd_tracker_ok', 'gauge', 'Tracked object (script, interface, file, process) of an instance: 1 OK, 0 failed');
  const trackerApplied = family('vrrpd_tracker_priority_applied', 'gauge', 'What the tracked object adds to the priority now (negative: subtracts)');
  const trackerFault = family('vrrpd_tracker_fault', 'gauge', '1 while the tracked object holds the instance in Fault (weight 0)');
  for (const entry of instances) {
    for (const tracker of entry.status.trackers) {
      const labels = { ...own(entry), tracker: tracker.name, kind: tracker.kind };
      trackerOk.samples.push({ labels, value: tracker.state === 'ok' ? 1 : 0 });
      trackerApplied.samples.push({ labels, value: tracker.applied });
      trackerFault.samples.push({ labels, value: tracker.fault ? 1 : 0 });
    }
  }
  return families.render();
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
