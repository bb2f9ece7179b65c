// virtual_routes and virtual_rules: addresses of one family, a destination the kernel takes as a
// network, something to send through, tables and numbers in rtnetlink's ranges.
import { addressToBytes, bytesToAddress } from '../core/address.js';
import { addressKind, familyOf, maxPrefixLength } from './addresses.js';
import type { IssueSink } from './issues.js';
import type { AddressFamily, PrefixConfig, VirtualRouteConfig, VirtualRuleConfig, VrrpInstanceConfig } from './model.js';
import { instancePath } from './paths.js';
import { ruleText } from './route-text.js';
import { checkInterfaceName } from './validate-names.js';

const U32_MAX = 4_294_967_295;
const SCOPES = new Set(['global', 'universe', 'site', 'link', 'host', 'nowhere']);

export function validateInstanceRoutes(instance: VrrpInstanceConfig, report: IssueSink): void {
  const at = instancePath(instance.name);
  (instance.virtualRoutes ?? []).forEach((route, index) => checkRoute(route, `${at}.virtualRoutes[${index}]`, report));
  (instance.virtualRules ?? []).forEach((rule, index) => checkRule(rule, `${at}.virtualRules[${index}]`, report));
}

function checkRoute(route: VirtualRouteConfig, path: string, report: IssueSink): void {
  const text = `route ${route.prefixLength === 0 ? 'default' : `${route.destination}/${route.prefixLength}`}`;
  if (!checkPrefix(route, route.family, text, path, report)) return;
  const sameFamily = (keyword: string, address: string | undefined): void => {
    if (address === undefined) return;
    const family = familyOf(address);
    if (!family) report.error(path, `${keyword} "${address}" of ${text} is not an IPv4 or IPv6 address`);
    else if (family !== route.family) report.error(path, `${keyword} ${address} is ${family} but ${text} is ${route.family}: a route's addresses are of one family`);
    else if (addressKind(family, address) !== 'unicast') report.error(path, `${keyword} ${address} of ${text} is a ${addressKind(family, address)} address: must be a unicast address`);
  };
  sameFamily('via', route.gateway);
  sameFamily('src', route.source);
  if (route.type !== undefined && (route.gateway !== undefined || route.device !== undefined)) {
    report.error(path, `${text} is ${route.type}: such a route has no via or dev`);
  }
  if (route.type === undefined && route.gateway === undefined && route.device === undefined) {
    report.error(path, `${text} needs via or dev (or a type: blackhole, unreachable, prohibit)`);
  }
  if (route.onlink && route.gateway === undefined) report.warning(path, `onlink of ${text} means nothing without via`);
  if (route.metric !== undefined && !inU32(route.metric)) report.error(path, `metric ${route.metric} of ${text} is out of range: must be 0..${U32_MAX}`);
  checkTable(route.table, text, path, report);
  if (route.scope !== undefined && !SCOPES.has(route.scope) && !(/^\d{1,3}$/.test(route.scope) && Number(route.scope) <= 255)) {
    report.error(path, `scope ${route.scope} of ${text} is not valid: must be global, site, link, host, nowhere or 0..255`);
  }
  if (route.device !== undefined) checkInterfaceName(route.device, path, `dev of ${text}`, report);
}

function checkRule(rule: VirtualRuleConfig, path: string, report: IssueSink): void {
  const text = `rule "${ruleText(rule)}"`;
  for (const [keyword, prefix] of [['from', rule.from], ['to', rule.to]] as const) {
    if (prefix === undefined) continue;
    const family = familyOf(prefix.address);
    if (!family) report.error(path, `${keyword} "${prefix.address}" of ${text} is not an IPv4 or IPv6 address`);
    else if (family !== rule.family) report.error(path, `${keyword} ${prefix.address} is ${family} but ${text} is ${rule.family}: a rule's addresses are of one family`);
    else checkPrefix(prefix, family, `${keyword} ${prefix.address}/${prefix.prefixLength}`, path, report);
  }
  checkTable(rule.table, text, path, report);
  if (rule.priority !== undefined && !inU32(rule.priority)) report.error(path, `priority ${rule.priority} of ${text} is out of range: must be 0..${U32_MAX}`);
  if (rule.fwmark !== undefined && !inU32(rule.fwmark)) report.error(path, `fwmark ${rule.fwmark} of ${text} is out of range: must be 0..${U32_MAX}`);
  if (rule.fwmask !== undefined && !inU32(rule.fwmask)) report.error(path, `fwmark mask ${rule.fwmask} of ${text} is out of range: must be 0..${U32_MAX}`);
  if (rule.inputInterface !== undefined) checkInterfaceName(rule.inputInterface, path, `iif of ${text}`, report);
  if (rule.outputInterface !== undefined) checkInterfaceName(rule.outputInterface, path, `oif of ${text}`, report);
  const selects = [rule.from, rule.to, rule.inputInterface, rule.outputInterface, rule.fwmark].some((selector) => selector !== undefined);
  if (!selects) report.warning(path, `${text} has no from, to, iif, oif or fwmark: it sends all ${rule.family} traffic to table ${rule.table} while Master`);
}

/** Prefix length in range and no host bits (the kernel refuses 198.51.100.1/24 as a destination). */
function checkPrefix(prefix: PrefixConfig | VirtualRouteConfig, family: AddressFamily, text: string, path: string, report: IssueSink): boolean {
  const address = 'destination' in prefix ? prefix.destination : prefix.address;
  if (familyOf(address) !== family) {
    report.error(path, `${text}: "${address}" is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
    return false;
  }
  const max = maxPrefixLength(family);
  if (!Number.isInteger(prefix.prefixLength) || prefix.prefixLength < 0 || prefix.prefixLength > max) {
    report.error(path, `prefix length ${prefix.prefixLength} of ${address} is out of range: must be 0..${max}`);
    return false;
  }
  const network = networkOf(family, address, prefix.prefixLength);
  if (network !== address) report.error(path, `${text} has host bits set: the network is ${network}/${prefix.prefixLength}`);
  return true;
}

function checkTable(table: number | undefined, text: string, path: string, report: IssueSink): void {
  if (table !== undefined && (!Number.isInteger(table) || table < 1 || table > U32_MAX)) {
    report.error(path, `table ${table} of ${text} is out of range: must be 1..${U32_MAX}`);
  }
}

function inU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}

/** The address with the bits past the prefix cleared, canonical text. */
function networkOf(family: AddressFamily, address: string, prefixLength: number): string {
  const bytes = Uint8Array.from(addressToBytes(family, address));
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return bytesToAddress(family, bytes);
}

