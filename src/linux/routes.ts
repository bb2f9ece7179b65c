// virtual_routes and virtual_rules on Linux: added tagged with vrrpd's protocol number, removed
// only when a route or rule with that tag is there, so vrrpd never takes away what someone else
// configured, even when it looks the same (same destination, same selectors).
import { routeText, ruleText, RT_TABLE_MAIN } from '../config/route-text.js';
import type { RoutePort, VirtualRouteSpec, VirtualRuleSpec } from '../daemon/vrrp/ports.js';
import { scopeNumber } from './netlink/address-messages.js';
import { ROUTE_TYPES, VRRPD_ROUTE_PROTOCOL, type RouteRequest, type RuleRequest } from './netlink/route-messages.js';
import { NetlinkError, type LinkInfo, type Rtnetlink } from './netlink/rtnetlink.js';

/** The metric the kernel gives IPv6 routes added without one. */
const IP6_RT_PRIO_USER = 1024;

export class NetlinkRoutes implements RoutePort {
  constructor(
    private readonly netlink: Rtnetlink,
    private readonly link: (name: string) => Promise<LinkInfo>,
  ) {}

  async addRoute(spec: VirtualRouteSpec): Promise<void> {
    const request = await this.routeRequest(spec);
    try {
      await this.netlink.addRoute(request, routeText(spec));
    } catch (error) {
      if (!(error instanceof NetlinkError) || error.errno !== 'EEXIST') throw error;
      const existing = await this.findRoute(request);
      if (existing?.protocol !== VRRPD_ROUTE_PROTOCOL) {
        throw new Error(`route ${routeText(spec)} is already there, added by someone else; vrrpd leaves it alone`);
      }
    }
  }

  async removeRoute(spec: VirtualRouteSpec): Promise<void> {
    const request = await this.routeRequest(spec);
    const existing = await this.findRoute(request);
    if (!existing || existing.protocol !== VRRPD_ROUTE_PROTOCOL) return;
    // The request names vrrpd's protocol: the kernel deletes only a route carrying it.
    await this.netlink.deleteRoute({ ...existing, protocol: VRRPD_ROUTE_PROTOCOL }, routeText(spec)).catch(ignoreGone);
  }

  async addRule(spec: VirtualRuleSpec): Promise<void> {
    const request = ruleRequest(spec);
    try {
      await this.netlink.addRule(request, ruleText(spec));
    } catch (error) {
      if (!(error instanceof NetlinkError) || error.errno !== 'EEXIST') throw error;
      if (!(await this.findRule(request))) throw new Error(`rule ${ruleText(spec)} is already there, added by someone else; vrrpd leaves it alone`);
    }
  }

  async removeRule(spec: VirtualRuleSpec): Promise<void> {
    const existing = await this.findRule(ruleRequest(spec));
    if (!existing) return;
    await this.netlink.deleteRule(existing, ruleText(spec)).catch(ignoreGone);
  }

  /** Removes every route and rule tagged as vrrpd's (left by a run that was killed). */
  async removeStale(): Promise<string[]> {
    const removed: string[] = [];
    for (const rule of await this.netlink.ruleEntries()) {
      if (rule.protocol !== VRRPD_ROUTE_PROTOCOL) continue;
      const text = `rule ${ruleText(rule)}`;
      await this.netlink.deleteRule(rule, text).catch(ignoreGone);
      removed.push(text);
    }
    for (const route of await this.netlink.routeEntries()) {
      if (route.protocol !== VRRPD_ROUTE_PROTOCOL) continue;
      const text = `route ${route.prefixLength === 0 ? 'default' : `${route.destination}/${route.prefixLength}`} table ${route.table}`;
      await this.netlink.deleteRoute(route, text).catch(ignoreGone);
      removed.push(text);
    }
    return removed;
  }

  private async routeRequest(spec: VirtualRouteSpec): Promise<RouteRequest> {
    const index = spec.device !== undefined ? (await this.link(spec.device)).index : undefined;
    const scope = spec.scope !== undefined ? scopeNumber(spec.scope) : undefined;
    return {
      family: spec.family,
      destination: spec.destination,
      prefixLength: spec.prefixLength,
      table: spec.table ?? RT_TABLE_MAIN,
      type: ROUTE_TYPES[spec.type ?? 'unicast'],
      protocol: VRRPD_ROUTE_PROTOCOL,
      ...(scope !== undefined ? { scope } : {}),
      ...(spec.onlink ? { onlink: true } : {}),
      ...(spec.gateway !== undefined ? { gateway: spec.gateway } : {}),
      ...(spec.source !== undefined ? { source: spec.source } : {}),
      ...(index !== undefined ? { outputInterfaceIndex: index } : {}),
      ...(spec.metric !== undefined ? { metric: spec.metric } : {}),
    };
  }

  /**
   * The route the kernel has with this destination, table and metric (IPv6 routes without a
   * metric, or with metric 0, get IP6_RT_PRIO_USER 1024; IPv4 ones 0).
   */
  private async findRoute(request: RouteRequest): Promise<RouteRequest | undefined> {
    const metric = request.family === 'ipv6' ? request.metric || IP6_RT_PRIO_USER : (request.metric ?? 0);
    const same = (await this.netlink.routeEntries()).filter(
      (route) =>
        route.family === request.family &&
        route.table === request.table &&
        route.prefixLength === request.prefixLength &&
        (request.prefixLength === 0 || route.destination === request.destination) &&
        (route.metric ?? 0) === metric,
    );
    return same.find((route) => route.protocol === VRRPD_ROUTE_PROTOCOL) ?? same[0];
  }

  /** vrrpd's rule with these selectors and table, if the kernel has it. */
  private async findRule(request: RuleRequest): Promise<RuleRequest | undefined> {
    return (await this.netlink.ruleEntries()).find(
      (rule) =>
        rule.protocol === VRRPD_ROUTE_PROTOCOL &&
        rule.family === request.family &&
        rule.table === request.table &&
        samePrefix(rule.from, request.from) &&
        samePrefix(rule.to, request.to) &&
        (request.priority === undefined || rule.priority === request.priority) &&
        rule.inputInterface === request.inputInterface &&
        rule.outputInterface === request.outputInterface &&
        rule.fwmark === request.fwmark &&
        (request.fwmask === undefined || rule.fwmask === request.fwmask) &&
        Boolean(rule.invert) === Boolean(request.invert),
    );
  }
}

function ruleRequest(spec: VirtualRuleSpec): RuleRequest {
  return { ...spec, protocol: VRRPD_ROUTE_PROTOCOL };
}

function samePrefix(a: RuleRequest['from'], b: RuleRequest['from']): boolean {
  return a?.address === b?.address && a?.prefixLength === b?.prefixLength;
}

function ignoreGone(error: unknown): void {
  if (error instanceof NetlinkError && (error.errno === 'ESRCH' || error.errno === 'ENOENT')) return;
  throw error;
}
