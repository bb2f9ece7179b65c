// virtual_routes / virtual_rules entries as keepalived (and `ip route` / `ip rule`) write them:
// what `vrrpd convert` writes and what the daemon logs, so an operator reads one spelling.
import type { PrefixConfig, VirtualRouteConfig, VirtualRuleConfig } from './model.js';

/** Table names `ip` knows without /etc/iproute2/rt_tables (rtnetlink.h RT_TABLE_*). */
export const TABLE_NAMES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };
export const RT_TABLE_MAIN = 254;

/** `198.51.100.0/24 via 192.0.2.254 dev eth0 table 100 metric 5`. */
export function routeText(route: VirtualRouteConfig): string {
  const words: (string | number)[] = [];
  if (route.source !== undefined) words.push('src', route.source);
  if (route.type !== undefined) words.push(route.type);
  words.push(route.prefixLength === 0 ? 'default' : `${route.destination}/${route.prefixLength}`);
  if (route.gateway !== undefined) words.push('via', route.gateway);
  if (route.device !== undefined) words.push('dev', route.device);
  if (route.scope !== undefined) words.push('scope', route.scope);
  if (route.table !== undefined) words.push('table', route.table);
  if (route.metric !== undefined) words.push('metric', route.metric);
  if (route.onlink) words.push('onlink');
  return words.join(' ');
}

/** `from 192.0.2.100 table 100 priority 100`. */
export function ruleText(rule: VirtualRuleConfig): string {
  const words: (string | number)[] = [];
  if (rule.invert) words.push('not');
  if (rule.from !== undefined) words.push('from', prefixText(rule.from));
  if (rule.to !== undefined) words.push('to', prefixText(rule.to));
  if (rule.inputInterface !== undefined) words.push('iif', rule.inputInterface);
  if (rule.outputInterface !== undefined) words.push('oif', rule.outputInterface);
  if (rule.fwmark !== undefined) words.push('fwmark', rule.fwmask !== undefined ? `${hex(rule.fwmark)}/${hex(rule.fwmask)}` : hex(rule.fwmark));
  if (rule.priority !== undefined) words.push('priority', rule.priority);
  words.push('table', rule.table);
  return words.join(' ');
}

/** A host without its /32 or /128, as `ip rule` shows it. */
function prefixText(prefix: PrefixConfig): string {
  return prefix.prefixLength === (prefix.address.includes(':') ? 128 : 32) ? prefix.address : `${prefix.address}/${prefix.prefixLength}`;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}
