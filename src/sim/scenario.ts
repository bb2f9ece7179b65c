// Recorded scenarios: a simulated LAN described as data (hosts, routers, timed events) and the
// trace it produces as readable text. Scenario folders under test/scenarios hold the input
// (scenario.json) and the expected trace (expected.trace); the CLI's `simulate` runs them too.
import type { RouterAction } from '../vrrp/protocol/actions.js';
import { SimulatedLan, type HostSpec, type LanOptions, type TraceEntry } from './lan.js';

export type ScenarioEvent =
  | { readonly at: number; readonly do: 'boot' | 'stop' | 'crash'; readonly host: string }
  | { readonly at: number; readonly do: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly at: number; readonly do: 'heal' }
  | { readonly at: number; readonly do: 'block'; readonly from: string; readonly to: string }
  | { readonly at: number; readonly do: 'loss'; readonly rate: number }
  | { readonly at: number; readonly do: 'fault'; readonly host: string; readonly router: string; readonly faulted: boolean; readonly detail?: string }
  | { readonly at: number; readonly do: 'priority'; readonly host: string; readonly router: string; readonly priority: number };

/** Which actions the trace shows; transitions and address changes by default. */
export type TraceKind = RouterAction['type'];

export interface Scenario {
  readonly description: string;
  readonly lan?: LanOptions;
  readonly hosts: readonly HostSpec[];
  readonly events: readonly ScenarioEvent[];
  /** Simulated time to run until, in ms. */
  readonly until: number;
  readonly show?: readonly TraceKind[];
}

export const DEFAULT_SHOWN: readonly TraceKind[] = ['transition', 'add-addresses', 'remove-addresses'];

export function runScenario(scenario: Scenario): SimulatedLan {
  const lan = new SimulatedLan(scenario.lan);
  for (const host of scenario.hosts) lan.addHost(host);
  const events = [...scenario.events].sort((a, b) => a.at - b.at);
  for (const event of events) {
    lan.clock.advanceTo(event.at);
    applyEvent(lan, event);
  }
  lan.clock.advanceTo(scenario.until);
  return lan;
}

/** Applies one event to the LAN now (the caller has advanced the clock to `event.at`). */
export function applyEvent(lan: SimulatedLan, event: ScenarioEvent): void {
  switch (event.do) {
    case 'boot':
    case 'stop':
    case 'crash':
      lan.note(`${event.host} ${event.do}`);
      lan.host(event.host)[event.do]();
      return;
    case 'partition':
      lan.partition(event.groups);
      return;
    case 'heal':
      lan.heal();
      return;
    case 'block':
      lan.block(event.from, event.to);
      return;
    case 'loss':
      lan.setLossRate(event.rate);
      return;
    case 'fault':
      lan.note(`${event.host}/${event.router} fault ${event.faulted ? 'on' : 'off'}`);
      lan.host(event.host).router(event.router).setFault(event.faulted, event.detail);
      return;
    case 'priority':
      lan.note(`${event.host}/${event.router} priority ${event.priority}`);
      lan.host(event.host).router(event.router).setPriority(event.priority);
      return;
  }
}

/**
 * The state of every router at the end of a run, with the counters that tell a story (what was
 * rejected, and why), so a scenario's expected trace also pins down its outcome.
 */
export function formatSummary(lan: SimulatedLan): string {
  const lines = ['-- end'];
  for (const host of lan.allHosts) {
    if (!host.isUp) {
      lines.push(`${host.name}  down`);
      continue;
    }
    for (const router of host.routers.values()) {
      const rejected = Object.entries(router.statistics.rejected)
        .filter(([, count]) => count > 0)
        .map(([reason, count]) => `${reason}=${count}`);
      const holds = [...host.installed].join(' ') || 'nothing';
      const status = router.status();
      lines.push(
        `${host.name}/${router.config.name}  ${status.state} priority ${status.priority} holds ${holds}` +
          (rejected.length > 0 ? `  rejected ${rejected.join(' ')}` : ''),
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** One line per shown trace entry: `  3609.375  r2/VI_1  Backup -> Master (master-down)`. */
export function formatTrace(trace: readonly TraceEntry[], show: readonly TraceKind[] = DEFAULT_SHOWN): string {
  const lines: string[] = [];
  for (const entry of trace) {
    const time = entry.time.toFixed(3).padStart(10);
    if (entry.kind === 'event') {
      lines.push(`${time}  -- ${entry.description}`);
      continue;
    }
    if (!show.includes(entry.action.type)) continue;
    lines.push(`${time}  ${entry.host}/${entry.router}  ${describeAction(entry.action)}`);
  }
  return lines.join('\n') + '\n';
}

export function describeAction(action: RouterAction): string {
  switch (action.type) {
    case 'transition': {
      const peer = action.peer ? ` from ${action.peer.address} priority ${action.peer.priority}` : '';
      const detail = action.detail ? `: ${action.detail}` : '';
      return `${action.from} -> ${action.to} (${action.reason}${detail})${peer}`;
    }
    case 'add-addresses':
      return `+ ${action.addresses.join(' ')}`;
    case 'remove-addresses':
      return `- ${action.addresses.join(' ')}`;
    case 'announce-addresses':
      return `announce x${action.count} ${action.addresses.join(' ')}`;
    case 'send-advertisement':
      return `advertise priority ${action.advertisement.priority}`;
    case 'priority-changed':
      return `priority ${action.from} -> ${action.to}`;
    case 'lower-priority-master':
      return `heard lower-priority Master ${action.peer.address} priority ${action.peer.priority}`;
  }
}
