// The BFD sessions' Prometheus families (documented in docs/operations.md, "Metrics").
import { SessionStates } from '../../bfd/packet.js';
import { MetricFamilies } from '../prometheus.js';
import type { BfdStatus } from './ports.js';

export function renderBfdMetrics(status: BfdStatus): string {
  const families = new MetricFamilies();
  const perSession = (name: string, type: 'gauge' | 'counter', help: string, value: (session: BfdStatus['sessions'][number]) => number): void => {
    const family = families.family(name, type, help);
    for (const session of status.sessions) family.samples.push({ labels: { bfd: session.name, peer: session.peer }, value: value(session) });
  };
  perSession('vrrpd_bfd_session_state', 'gauge', 'bfd.SessionState: 0 AdminDown, 1 Down, 2 Init, 3 Up (RFC 5880 §4.1)', (s) => SessionStates.indexOf(s.state));
  perSession('vrrpd_bfd_session_up', 'gauge', '1 while the session is Up', (s) => (s.state === 'Up' ? 1 : 0));
  perSession('vrrpd_bfd_local_diagnostic', 'gauge', 'bfd.LocalDiag: why the session last went down (1 detection time expired, 3 neighbour signaled down, 7 administratively down)', (s) => s.localDiag);
  perSession('vrrpd_bfd_remote_diagnostic', 'gauge', 'The Diag the neighbour last sent', (s) => s.remoteDiag);
  perSession('vrrpd_bfd_transmit_interval_seconds', 'gauge', 'Agreed interval between our Control packets, before jitter', (s) => s.timers.transmitInterval / 1e6);
  perSession('vrrpd_bfd_detection_time_seconds', 'gauge', 'Silence after which the session goes Down (0 before the first packet)', (s) => s.timers.detectionTime / 1e6);
  perSession('vrrpd_bfd_state_duration_seconds', 'gauge', 'Time since the last state change', (s) => s.stateForMs / 1000);
  perSession('vrrpd_bfd_packets_sent_total', 'counter', 'Control packets sent', (s) => s.packetsSent);
  perSession('vrrpd_bfd_packets_received_total', 'counter', 'Control packets accepted', (s) => s.packetsReceived);
  perSession('vrrpd_bfd_session_up_total', 'counter', 'Times the session came Up', (s) => s.upTransitions);
  perSession('vrrpd_bfd_session_down_total', 'counter', 'Times the session left Up', (s) => s.downTransitions);
  const discarded = families.family('vrrpd_bfd_packets_discarded_total', 'counter', 'Received Control packets discarded, by reason (malformed, wrong TTL, unknown discriminator, ...)');
  for (const [reason, value] of Object.entries(status.discarded)) discarded.samples.push({ labels: { reason }, value });
  families.family('vrrpd_bfd_send_errors_total', 'counter', 'Control packets the kernel refused to send').samples.push({ labels: {}, value: status.sendErrors });
  return families.render();
}
