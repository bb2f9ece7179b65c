// global_defs: multicast groups, timers, and the gratuitous ARP settings instances inherit.
import { addressKind, familyOf, isLinkLocalMulticast6 } from './addresses.js';
import type { IssueSink } from './issues.js';
import { AUTO_PRIORITY_RANGE, isIntegerIn } from './limits.js';
import type { GarpConfig, GlobalDefs } from './model.js';
import { secondsText } from './validation-context.js';

export function validateGlobal(global: GlobalDefs, report: IssueSink): void {
  const group4 = global.mcastGroup4;
  if (familyOf(group4) !== 'ipv4' || addressKind('ipv4', group4) !== 'multicast') {
    report.error('global.mcastGroup4', `vrrp_mcast_group4 ${group4} is not valid: must be an IPv4 multicast address (224.0.0.0/4); the VRRP group is 224.0.0.18`);
  }
  // RFC 5798 §5.1.2.2: adverts never leave the link, so the group must have link-local scope.
  const group6 = global.mcastGroup6;
  if (familyOf(group6) !== 'ipv6' || !isLinkLocalMulticast6(group6)) {
    report.error('global.mcastGroup6', `vrrp_mcast_group6 ${group6} is not valid: must be a link-local IPv6 multicast address (ffX2::/16); the VRRP group is ff02::12`);
  }
  if (!(global.startupDelayMs >= 0)) {
    report.error('global.startupDelayMs', `vrrp_startup_delay ${secondsText(global.startupDelayMs)} is out of range: must be 0 or more seconds`);
  }
  if (!isIntegerIn(global.maxAutoPriority, AUTO_PRIORITY_RANGE)) {
    report.error('global.maxAutoPriority', `max_auto_priority ${global.maxAutoPriority} is out of range: must be -1..99 (0 = off)`);
  }
  validateGarp(global.garp, 'global.garp', 'vrrp_', report);
}

/** Gratuitous ARP / NA settings; `prefix` is `vrrp_` in global_defs, nothing in an instance. */
export function validateGarp(garp: GarpConfig, at: string, prefix: 'vrrp_' | '', report: IssueSink): void {
  const times: [keyof GarpConfig, string][] = [
    ['masterDelayMs', 'garp_master_delay'],
    ['masterRefreshMs', 'garp_master_refresh'],
    ['lowerPrioDelayMs', 'garp_lower_prio_delay'],
    ['arpIntervalMs', 'garp_interval'],
    ['naIntervalMs', 'gna_interval'],
  ];
  for (const [field, keyword] of times) {
    if (!(garp[field] >= 0)) report.error(`${at}.${field}`, `${prefix}${keyword} ${secondsText(garp[field])} is out of range: must be 0 or more seconds`);
  }
  // keepalived turns a repeat of 0 into 1 for these two: a burst of nothing is not a burst.
  const counts: [keyof GarpConfig, string, number][] = [
    ['masterRepeat', 'garp_master_repeat', 1],
    ['masterRefreshRepeat', 'garp_master_refresh_repeat', 1],
    ['lowerPrioRepeat', 'garp_lower_prio_repeat', 0],
  ];
  for (const [field, keyword, min] of counts) {
    if (!Number.isInteger(garp[field]) || garp[field] < min) {
      report.error(`${at}.${field}`, `${prefix}${keyword} ${garp[field]} is out of range: must be a whole number, ${min} or more`);
    }
  }
}
