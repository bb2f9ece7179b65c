// The load balancer's Prometheus metrics. The keepalived_lvs_* families carry the names of the
// keepalived exporter that reads IPVS (gen2brain/keepalived_exporter: addr "IP:PORT" and proto, the
// IP protocol number), with a `vs` label added on real servers so that one server in two services
// makes two series; the numbers come from vrrpd's nftables counters (read every few seconds). DR
// counts connections per real server and packets per service only: its packets are forwarded
// before any per-server counter could see them. vrrpd_lvs_* add the pool's state.
import type { ResolvedVirtualServer } from '../../config/validate-virtual-servers.js';
import type { VirtualServerSpec } from '../../lb/model.js';
import type { ServerPool } from '../../lb/pool.js';
import { destinationName, objectNames } from '../../lb/ruleset.js';
import { MetricFamilies, type Labels } from '../prometheus.js';

export interface CounterSnapshot {
  readonly inet: ReadonlyMap<string, { readonly packets: number; readonly bytes: number }>;
  readonly netdev: ReadonlyMap<string, { readonly packets: number; readonly bytes: number }>;
}

export interface MetricsSource {
  readonly resolved: ResolvedVirtualServer;
  readonly spec: VirtualServerSpec;
  readonly pool: ServerPool;
}

const PROTOCOL_NUMBERS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };

function addressPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function serviceLabels(resolved: ResolvedVirtualServer): Labels {
  const { match } = resolved;
  if (match.kind === 'address') return { addr: addressPort(match.address, match.port), proto: PROTOCOL_NUMBERS[match.protocol] ?? 0 };
  return { addr: resolved.key, proto: match.kind === 'group' ? (PROTOCOL_NUMBERS[match.protocol] ?? 0) : 0 };
}

export function renderLbMetrics(services: readonly MetricsSource[], counters: CounterSnapshot): string {
  const list = new MetricFamilies();
  const counter = (name: string, help: string) => list.family(name, 'counter', help);
  const gauge = (name: string, help: string) => list.family(name, 'gauge', help);
  const vip = {
    inPackets: counter('keepalived_lvs_vip_in_packets', 'VIP in packets'),
    outPackets: counter('keepalived_lvs_vip_out_packets', 'VIP out packets'),
    inBytes: counter('keepalived_lvs_vip_in_bytes', 'VIP in bytes'),
    outBytes: counter('keepalived_lvs_vip_out_bytes', 'VIP out bytes'),
    conn: counter('keepalived_lvs_vip_conn', 'VIP connections'),
  };
  const rs = {
    inPackets: counter('keepalived_lvs_rs_in_packets', 'RS in packets'),
    outPackets: counter('keepalived_lvs_rs_out_packets', 'RS out packets'),
    inBytes: counter('keepalived_lvs_rs_in_bytes', 'RS in bytes'),
    outBytes: counter('keepalived_lvs_rs_out_bytes', 'RS out bytes'),
    conn: counter('keepalived_lvs_rs_conn', 'RS connections'),
  };
  const up = gauge('vrrpd_lvs_rs_up', 'Real server: 1 while its checkers pass, 0 while one fails');
  const weight = gauge('vrrpd_lvs_rs_weight', 'Real server: its weight in the rules now (0 while out of service or inhibited)');
  const quorum = gauge('vrrpd_lvs_vs_quorum_up', 'Virtual server: 1 while the live weight holds the quorum');
  const sorry = gauge('vrrpd_lvs_vs_sorry_server_active', 'Virtual server: 1 while the sorry server replaces the real servers');
  const names = objectNames(services.map((service) => service.spec));
  for (const { resolved, spec, pool } of services) {
    const name = names.get(spec.key)!;
    const table = spec.dr ? counters.netdev : counters.inet;
    const labels = serviceLabels(resolved);
    const read = (object: string): { packets: number; bytes: number } => table.get(object) ?? { packets: 0, bytes: 0 };
    const totals = { inPackets: 0, outPackets: 0, inBytes: 0, outBytes: 0, conn: 0 };
    const servers = [...spec.realServers, ...(spec.sorryServer && !spec.realServers.some((real) => real.key === spec.sorryServer!.key) ? [spec.sorryServer] : [])];
    for (const server of servers) {
      const object = destinationName(name, server, spec);
      const conns = read(`${object}_conns`).packets;
      const inbound = spec.dr ? { packets: 0, bytes: 0 } : read(`${object}_in`);
      const outbound = spec.dr ? { packets: 0, bytes: 0 } : read(`${object}_out`);
      const rsLabels = { addr: addressPort(server.address, server.port), proto: labels['proto']!, vs: resolved.key };
      rs.inPackets.samples.push({ labels: rsLabels, value: inbound.packets });
      rs.outPackets.samples.push({ labels: rsLabels, value: outbound.packets });
      rs.inBytes.samples.push({ labels: rsLabels, value: inbound.bytes });
      rs.outBytes.samples.push({ labels: rsLabels, value: outbound.bytes });
      rs.conn.samples.push({ labels: rsLabels, value: conns });
      totals.inPackets += inbound.packets;
      totals.outPackets += outbound.packets;
      totals.inBytes += inbound.bytes;
      totals.outBytes += outbound.bytes;
      totals.conn += conns;
    }
    if (spec.dr) {
      const inbound = read(`${name}_in`);
      totals.inPackets = inbound.packets;
      totals.inBytes = inbound.bytes;
    }
    vip.inPackets.samples.push({ labels, value: totals.inPackets });
    vip.outPackets.samples.push({ labels, value: totals.outPackets });
    vip.inBytes.samples.push({ labels, value: totals.inBytes });
    vip.outBytes.samples.push({ labels, value: totals.outBytes });
    vip.conn.samples.push({ labels, value: totals.conn });
    for (const server of pool.status()) {
      const rsLabels = { vs: resolved.key, rs: server.key };
      up.samples.push({ labels: rsLabels, value: server.alive ? 1 : 0 });
      weight.samples.push({ labels: rsLabels, value: server.weight });
    }
    quorum.samples.push({ labels: { vs: resolved.key }, value: pool.hasQuorum ? 1 : 0 });
    if (resolved.sorryServer) sorry.samples.push({ labels: { vs: resolved.key }, value: pool.sorryServerActive ? 1 : 0 });
  }
  return services.length === 0 ? '' : list.render();
}
