// One vrrp_instance on its own: identity, timers, preemption, authentication, unicast.
// Addresses and tracking have their own modules; checks across instances live in validate.ts.
import { addressKind, familyOf } from './addresses.js';
import type { IssueSink } from './issues.js';
import {
  DEBUG_LEVEL_RANGE,
  isIntegerIn,
  MAX_PASSWORD_LENGTH,
  MAX_PREEMPT_DELAY_MS,
  OWNER_PRIORITY,
  PRIORITY_RANGE,
  TTL_RANGE,
  V2_ADVERT_INTERVAL_MS,
  V3_ADVERT_INTERVAL_MS,
  VRID_RANGE,
} from './limits.js';
import type { VrrpInstanceConfig } from './model.js';
import { instancePath } from './paths.js';
import { validateGarp } from './validate-global.js';
import { checkInterfaceName } from './validate-names.js';
import { secondsText } from './validation-context.js';

export function validateInstance(instance: VrrpInstanceConfig, strict: boolean, report: IssueSink): void {
  const at = instancePath(instance.name);
  if (instance.interface === '') report.error(`${at}.interface`, `vrrp_instance ${instance.name} has no interface: set the interface VRRP runs on`);
  else checkInterfaceName(instance.interface, `${at}.interface`, 'interface', report);
  if (!isIntegerIn(instance.virtualRouterId, VRID_RANGE)) {
    report.error(`${at}.virtualRouterId`, `virtual_router_id ${instance.virtualRouterId} is out of range: must be 1..255`);
  }
  if (!isIntegerIn(instance.priority, PRIORITY_RANGE)) {
    report.error(`${at}.priority`, `priority ${instance.priority} is out of range: must be 1..255 (255 = address owner)`);
  }
  if (instance.version === 2 && instance.family === 'ipv6') {
    report.error(`${at}.version`, 'version 2 is not valid for IPv6 addresses: VRRPv2 is IPv4 only (RFC 3768); use version 3');
  }
  checkAdvertInterval(instance, at, report);
  checkPreemption(instance, at, report);
  checkAuthentication(instance, at, report);
  checkUnicast(instance, at, strict, report);
  if (instance.useVmac?.name !== undefined) checkInterfaceName(instance.useVmac.name, `${at}.useVmac`, 'use_vmac', report);
  if (instance.debug !== undefined && !isIntegerIn(instance.debug, DEBUG_LEVEL_RANGE)) {
    report.error(`${at}.debug`, `debug ${instance.debug} is out of range: must be 0..4`);
  }
  validateGarp(instance.garp, `${at}.garp`, '', report);
}

function checkAdvertInterval(instance: VrrpInstanceConfig, at: string, report: IssueSink): void {
  const interval = instance.advertIntervalMs;
  const fits = (limits: { min: number; max: number; step: number }): boolean =>
    Number.isFinite(interval) && interval >= limits.min && interval <= limits.max && interval % limits.step === 0;
  // keepalived rounds such values with a warning; vrrpd refuses them, since the interval on the
  // wire must be what the peers expect (a v2 Backup drops adverts with another interval).
  if (instance.version === 2 && !fits(V2_ADVERT_INTERVAL_MS)) {
    report.error(`${at}.advertIntervalMs`, `advert_int ${secondsText(interval)} is not valid for VRRPv2: must be whole seconds 1..255 (RFC 3768 §5.3.7)`);
  } else if (instance.version === 3 && !fits(V3_ADVERT_INTERVAL_MS)) {
    report.error(`${at}.advertIntervalMs`, `advert_int ${secondsText(interval)} is not valid for VRRPv3: must be 0.01..40.95 s in steps of 0.01 s (RFC 5798 §5.2.7)`);
  }
}

function checkPreemption(instance: VrrpInstanceConfig, at: string, report: IssueSink): void {
  const delay = instance.preemptDelayMs;
  if (!(delay >= 0 && delay <= MAX_PREEMPT_DELAY_MS)) {
    report.error(`${at}.preemptDelayMs`, `preempt_delay ${secondsText(delay)} is out of range: must be 0..1000 s`);
  }
  // keepalived clears both for `state MASTER`: they only make sense for an instance that waits.
  if (instance.initialState === 'MASTER') {
    if (!instance.preempt) report.warning(`${at}.initialState`, 'nopreempt is ignored with state MASTER (as keepalived does): set state BACKUP for nopreempt to work');
    if (delay > 0) report.warning(`${at}.initialState`, `preempt_delay ${secondsText(delay)} is ignored with state MASTER (as keepalived does): set state BACKUP for preempt_delay to work`);
  }
  // RFC 5798 §6.1 (Preempt_Mode): the address owner always preempts, whatever the flag says.
  if (instance.priority === OWNER_PRIORITY && !instance.preempt) {
    report.warning(`${at}.priority`, 'nopreempt is ignored with priority 255: the address owner always preempts (RFC 5798 §6.1)');
  }
  if (!instance.preempt && delay > 0) {
    report.warning(`${at}.preemptDelayMs`, `preempt_delay ${secondsText(delay)} has no effect with nopreempt: this instance never preempts`);
  }
}

function checkAuthentication(instance: VrrpInstanceConfig, at: string, report: IssueSink): void {
  const authentication = instance.authentication;
  if (!authentication) return;
  if (instance.version === 3) {
    report.warning(`${at}.authentication`, 'authentication is ignored with VRRPv3 (RFC 5798 removed it), as keepalived does');
  } else if (authentication.password.length > MAX_PASSWORD_LENGTH) {
    report.warning(
      `${at}.authentication.password`,
      `auth_pass is ${authentication.password.length} characters; only the first ${MAX_PASSWORD_LENGTH} ("${authentication.password.slice(0, MAX_PASSWORD_LENGTH)}") are used, as in keepalived`,
    );
  }
}

function checkUnicast(instance: VrrpInstanceConfig, at: string, strict: boolean, report: IssueSink): void {
  for (const [field, keyword, value] of [
    ['unicastSourceIp', 'unicast_src_ip', instance.unicastSourceIp],
    ['multicastSourceIp', 'mcast_src_ip', instance.multicastSourceIp],
  ] as const) {
    if (value === undefined) continue;
    const family = familyOf(value);
    if (family !== instance.family) {
      report.error(`${at}.${field}`, `${keyword} ${value} is ${family ? `an ${family} address` : 'not an address'}: the instance is ${instance.family}`);
    } else if (addressKind(family, value) !== 'unicast') {
      report.error(`${at}.${field}`, `${keyword} ${value} is a ${addressKind(family, value)} address: must be a unicast address of this host`);
    }
  }
  if (strict && instance.unicastPeers.length > 0) {
    report.error(`${at}.unicastPeers`, 'unicast_peer is not allowed with vrrp_strict: the RFCs define multicast only (keepalived refuses it too)');
  }
  const seen = new Set<string>();
  instance.unicastPeers.forEach((peer, index) => {
    const path = `${at}.unicastPeers[${index}]`;
    const family = familyOf(peer.address);
    if (family !== instance.family) {
      report.error(path, `unicast_peer ${peer.address} is ${family ? `an ${family} address` : 'not an address'}: the instance is ${instance.family}`);
    } else if (addressKind(family, peer.address) !== 'unicast') {
      report.error(path, `unicast_peer ${peer.address} is a ${addressKind(family, peer.address)} address: peers are unicast addresses`);
    }
    if (seen.has(peer.address)) report.warning(path, `unicast_peer ${peer.address} is listed twice; every advert would be sent to it twice`);
    seen.add(peer.address);
    if (peer.address === instance.unicastSourceIp) report.warning(path, `unicast_peer ${peer.address} is this instance's own unicast_src_ip: list the other routers only`);
    for (const [keyword, ttl] of [['min_ttl', peer.minTtl], ['max_ttl', peer.maxTtl]] as const) {
      if (ttl !== undefined && !isIntegerIn(ttl, TTL_RANGE)) report.error(path, `${keyword} ${ttl} of unicast_peer ${peer.address} is out of range: must be 0..255`);
    }
    if (peer.minTtl !== undefined && peer.maxTtl !== undefined && peer.minTtl > peer.maxTtl) {
      report.error(path, `min_ttl ${peer.minTtl} of unicast_peer ${peer.address} is above its max_ttl ${peer.maxTtl}: no advert could pass`);
    }
  });
}
