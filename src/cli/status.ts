// `vrrpd status` and `vrrpd priority`: the operator's view of a running daemon, through the
// control socket.
import { sendControlRequest } from '../control/client.js';
import type { ControlRequest } from '../control/protocol.js';
import type { BfdStatus } from '../daemon/bfd/ports.js';
import type { VirtualServerStatus } from '../daemon/lb/status.js';
import type { InstanceStatus } from '../daemon/vrrp/routers.js';
import { UsageError } from './errors.js';

async function ask(socket: string, request: ControlRequest): Promise<unknown> {
  const response = await sendControlRequest(socket, request);
  if (!response.ok) throw new UsageError(response.error.message);
  return response.result;
}

export async function status(options: { socket: string; json: boolean }, write: (text: string) => void): Promise<number> {
  // A daemon without VRRP instances (BFD or virtual servers alone) has no `instances`; one without BFD no `bfd`, without virtual servers no `virtualServers`.
  const result = (await ask(options.socket, { command: 'status' })) as { instances?: InstanceStatus[]; bfd?: BfdStatus | null; virtualServers?: VirtualServerStatus[] };
  if (options.json) write(JSON.stringify(result) + '\n');
  else
    write(
      [result.instances ? formatStatusTable(result.instances) : '', result.bfd ? formatBfdTable(result.bfd) : '', result.virtualServers ? formatVirtualServers(result.virtualServers) : '']
        .filter((text) => text !== '')
        .join('\n'),
    );
  return 0;
}

/** Aligned columns, the last one left ragged. */
function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)];
}

/** A checker's state, its last result, and (once it passes again) why it last failed. */
function checkerCell(checker: VirtualServerStatus['realServers'][number]['checkers'][number]): string {
  const earlier = checker.lastFailure !== undefined && checker.lastFailure !== checker.detail ? `; last failure: ${checker.lastFailure}` : '';
  return `${checker.id} ${checker.state}${checker.detail ? ` (${checker.detail}${earlier})` : ''}`;
}

/** The load balancer: one line per virtual server, then its real servers with their checkers. */
export function formatVirtualServers(servers: readonly VirtualServerStatus[]): string {
  const lines: string[] = [];
  for (const vs of servers) {
    const quorum = `quorum ${vs.quorum.up ? 'up' : 'DOWN'} (weight ${vs.quorum.liveWeight}, quorum ${vs.quorum.quorum}${vs.quorum.hysteresis ? ` +/-${vs.quorum.hysteresis}` : ''})`;
    const sorry = vs.sorryServer ? `; sorry server ${vs.sorryServer.key}${vs.sorryServer.active ? ' SERVING' : ''}` : '';
    const persistence = vs.persistenceTimeoutS !== undefined ? ` persistence ${vs.persistenceTimeoutS} s` : '';
    if (lines.length > 0) lines.push('');
    lines.push(`VS ${vs.key} ${vs.method} ${vs.scheduler}${persistence}: ${quorum}${sorry}${vs.suspended ? '; checkers suspended (ha_suspend)' : ''}`);
    const withConnections = vs.realServers.some((rs) => rs.connections !== undefined);
    const rows = vs.realServers.map((rs) => [
      `  ${rs.key}`,
      rs.alive ? 'UP' : 'DOWN',
      rs.inService ? `weight ${rs.weight}` : rs.weight === 0 && rs.alive ? 'weight 0' : 'out',
      ...(withConnections ? [rs.connections ? `${rs.connections.active}/${rs.connections.inactive}` : '-'] : []),
      rs.checkers.map(checkerCell).join('; ') || 'no checkers',
    ]);
    lines.push(...renderTable(['  REAL SERVER', 'STATE', 'WEIGHT', ...(withConnections ? ['ACTIVE/INACTIVE'] : []), 'CHECKERS'], rows));
  }
  return lines.join('\n') + '\n';
}

const ms = (microseconds: number): string => `${microseconds / 1000} ms`;

/**
 * The BFD sessions: state, the remote discriminator, the agreed transmit interval and Detection
 * Time, and why the session last went down (RFC 5880's diagnostic), with discards below.
 */
export function formatBfdTable(bfd: BfdStatus): string {
  const rows = bfd.sessions.map((s) => [
    s.name,
    s.state,
    `${(s.stateForMs / 1000).toFixed(1)} s`,
    `${s.peer}${s.multihop ? ' (multi-hop)' : ''}`,
    s.remoteDiscr === 0 ? '-' : String(s.remoteDiscr),
    ms(s.timers.transmitInterval),
    s.timers.detectionTime === 0 ? '-' : ms(s.timers.detectionTime),
    s.lastDown ? `${s.lastDown.reason} (${(s.lastDown.agoMs / 1000).toFixed(1)} s ago)` : '-',
  ]);
  const lines = renderTable(['BFD', 'STATE', 'SINCE', 'PEER', 'REMOTE DISCR', 'TX', 'DETECT', 'LAST DOWN'], rows);
  const discarded = Object.entries(bfd.discarded).filter(([, count]) => count > 0);
  if (discarded.length > 0) lines.push('', `discarded: ${discarded.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  return lines.join('\n') + '\n';
}

export function formatStatusTable(instances: readonly InstanceStatus[]): string {
  const header = ['INSTANCE', 'STATE', 'SINCE', 'VRID', 'VER', 'IF', 'PRIORITY', 'MASTER', 'REASON', 'VIPS'];
  const rows = instances.map((i) => [
    i.name,
    i.state,
    `${(i.inStateMs / 1000).toFixed(1)} s`,
    String(i.vrid),
    `v${i.version}`,
    i.interface,
    i.priorityOverride === null ? String(i.effectivePriority) : `${i.effectivePriority} (override; base ${i.basePriority})`,
    i.state === 'Master' ? 'self' : i.master ? `${i.master.address} (${i.master.priority})` : '-',
    i.lastTransitionReason ?? '-',
    i.virtualAddresses.join(' '),
  ]);
  return [...renderTable(header, rows), ...instances.flatMap(trackingLines)].join('\n') + '\n';
}

/** What tracking contributes to one instance: a blank line, a heading, one line per tracker. */
function trackingLines(i: InstanceStatus): string[] {
  // Older daemons do not report these fields.
  const trackers = i.trackers ?? [];
  const faults = i.faultReasons ?? [];
  if (trackers.length === 0 && faults.length === 0 && !i.syncGroup) return [];
  const group = i.syncGroup ? ` (sync group ${i.syncGroup})` : '';
  const rows = trackers.map((t) => [
    t.kind,
    t.name,
    t.fault ? 'FAULT' : t.state,
    `weight ${t.weight}${t.reverse ? ' reverse' : ''}${t.ignored ? ' (ignored)' : ''}`,
    `${t.applied}${t.value !== undefined ? ` (value ${t.value})` : ''}${t.detail !== undefined ? ` (${t.detail})` : ''}`,
  ]);
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return [
    '',
    `${i.name}${group}: base ${i.priorityOverride ?? i.basePriority}, effective ${i.effectivePriority}${faults.length > 0 ? `; Fault: ${faults.join('; ')}` : ''}`,
    ...rows.map((row) => '  ' + row.map((cell, column) => (column < 4 ? cell.padEnd(widths[column]!) : cell)).join('  ').trimEnd()),
  ];
}

export async function priority(
  options: { socket: string; instance: string; priority?: string; reset: boolean },
  write: (text: string) => void,
): Promise<number> {
  if (options.reset === (options.priority !== undefined)) throw new UsageError('give either a priority (1..254) or --reset');
  let value: number | undefined;
  if (options.priority !== undefined) {
    value = /^\d+$/.test(options.priority) ? Number(options.priority) : NaN;
    if (!(value >= 1 && value <= 254)) throw new UsageError(`priority "${options.priority}" is not valid: an override must be 1..254`);
  }
  const result = (await ask(options.socket, { command: 'priority', args: { instance: options.instance, ...(value !== undefined ? { priority: value } : { reset: true }) } })) as InstanceStatus;
  write(
    value === undefined
      ? `${result.name}: override removed; priority ${result.effectivePriority}, ${result.state}\n`
      : `${result.name}: priority ${result.effectivePriority} (base ${result.basePriority}), ${result.state}\n`,
  );
  return 0;
}
