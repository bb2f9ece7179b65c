// virtual_ipaddress and virtual_ipaddress_excluded: well-formed, of the right family, usable as a
// host address, fitting one advertisement, and not claimed twice.
import { addressKind, familyOf, maxPrefixLength } from './addresses.js';
import type { IssueSink } from './issues.js';
import { MAX_ADDRESSES_PER_ADVERT, MAX_INTERFACE_NAME_LENGTH, MAX_IPV6_ADDRESSES_AT_1500_MTU } from './limits.js';
import type { AddressFamily, VirtualAddressConfig, VrrpdConfig, VrrpInstanceConfig } from './model.js';
import { instancePath } from './paths.js';
import { checkInterfaceName } from './validate-names.js';

/** `ip address` scopes (rt_scopes), also accepted as numbers. */
const SCOPES = new Set(['global', 'site', 'link', 'host', 'nowhere']);

export function validateInstanceAddresses(instance: VrrpInstanceConfig, strict: boolean, report: IssueSink): void {
  const at = instancePath(instance.name);
  const vips = instance.virtualAddresses;
  if (vips.length === 0) {
    // RFC 5798 §5.2.5: "The minimum value is 1"; keepalived refuses v3 (and strict) instances without one.
    if (instance.version === 3 || strict) {
      report.error(`${at}.virtualAddresses`, `vrrp_instance ${instance.name} has no virtual_ipaddress: VRRPv3 and vrrp_strict need at least one (RFC 5798 §5.2.5)`);
    } else {
      report.warning(`${at}.virtualAddresses`, `vrrp_instance ${instance.name} has no virtual_ipaddress`);
    }
  }
  if (vips.length > MAX_ADDRESSES_PER_ADVERT) {
    report.error(`${at}.virtualAddresses`, `${vips.length} virtual_ipaddress entries are too many: an advertisement carries at most ${MAX_ADDRESSES_PER_ADVERT}; move the rest to virtual_ipaddress_excluded`);
  } else if (instance.family === 'ipv6' && vips.length > MAX_IPV6_ADDRESSES_AT_1500_MTU) {
    report.warning(`${at}.virtualAddresses`, `${vips.length} IPv6 virtual_ipaddress entries do not fit one advertisement on a 1500-byte MTU (at most ${MAX_IPV6_ADDRESSES_AT_1500_MTU}); move the rest to virtual_ipaddress_excluded`);
  }

  vips.forEach((vip, index) => {
    const path = `${at}.virtualAddresses[${index}]`;
    const family = checkAddressEntry(vip, path, 'virtual_ipaddress', report);
    if (family && family !== instance.family) {
      report.error(path, `${vip.address} is ${family}, the instance's addresses are ${instance.family}: use a separate vrrp_instance per family, or virtual_ipaddress_excluded`);
    }
  });
  // Excluded addresses are not advertised, so any family is fine (keepalived's way to mix them).
  instance.excludedAddresses.forEach((evip, index) => checkAddressEntry(evip, `${at}.excludedAddresses[${index}]`, 'virtual_ipaddress_excluded', report));

  const firstSeen = new Map<string, string>();
  for (const { entry, path } of addressEntries(instance)) {
    const earlier = firstSeen.get(entry.address);
    if (earlier) report.warning(path, `${entry.address} is listed twice in vrrp_instance ${instance.name} (also at ${earlier}); the second is redundant`);
    else firstSeen.set(entry.address, path);
  }
}

/** The family of a well-formed entry, after reporting what is wrong with it. */
function checkAddressEntry(entry: VirtualAddressConfig, path: string, keyword: string, report: IssueSink): AddressFamily | undefined {
  const family = familyOf(entry.address);
  if (!family) {
    report.error(path, `${keyword} "${entry.address}" is not an IPv4 or IPv6 address`);
    return undefined;
  }
  if (family !== entry.family) report.error(path, `${keyword} ${entry.address} is ${family} but is recorded as ${entry.family}`);
  const kind = addressKind(family, entry.address);
  if (kind !== 'unicast') report.error(path, `${keyword} ${entry.address} is a ${kind} address: a virtual address must be a unicast address`);
  const max = maxPrefixLength(family);
  if (!Number.isInteger(entry.prefixLength) || entry.prefixLength < 0 || entry.prefixLength > max) {
    report.error(path, `prefix length ${entry.prefixLength} of ${entry.address} is out of range: must be 0..${max}`);
  }
  if (entry.broadcast !== undefined) {
    // `ip address` also takes "+" and "-" (derive from the prefix / none).
    if (family === 'ipv6') report.error(path, `brd ${entry.broadcast} of ${entry.address} is not valid: IPv6 has no broadcast address`);
    else if (!['+', '-'].includes(entry.broadcast) && familyOf(entry.broadcast) !== 'ipv4') {
      report.error(path, `brd ${entry.broadcast} of ${entry.address} is not valid: must be an IPv4 address`);
    }
  }
  if (entry.scope !== undefined && !SCOPES.has(entry.scope) && !/^\d{1,3}$/.test(entry.scope)) {
    report.error(path, `scope ${entry.scope} of ${entry.address} is not valid: must be global, site, link, host or nowhere`);
  }
  if (entry.label !== undefined) {
    // IFA_LABEL exists for IPv4 only.
    if (family === 'ipv6') report.warning(path, `label ${entry.label} of ${entry.address} is ignored: labels apply to IPv4 addresses only`);
    else if (entry.label.length > MAX_INTERFACE_NAME_LENGTH) {
      report.error(path, `label ${entry.label} of ${entry.address} is too long: Linux allows at most ${MAX_INTERFACE_NAME_LENGTH} characters`);
    }
  }
  if (entry.noDad && family === 'ipv4') report.warning(path, `no_dad of ${entry.address} is ignored: Duplicate Address Detection is IPv6 only`);
  if (entry.device !== undefined) checkInterfaceName(entry.device, path, `dev of ${entry.address}`, report);
  return family;
}

/** Two instances adding and removing the same address on one host fight over it. */
export function validateSharedAddresses(config: VrrpdConfig, report: IssueSink): void {
  const owner = new Map<string, string>();
  for (const instance of config.instances) {
    const seenHere = new Set<string>();
    for (const { entry, path } of addressEntries(instance)) {
      if (seenHere.has(entry.address)) continue;
      seenHere.add(entry.address);
      const other = owner.get(entry.address);
      if (other !== undefined && other !== instance.name) {
        report.warning(path, `${entry.address} is also a virtual address of ${other}: whichever instance leaves Master state removes it from the other`);
      } else owner.set(entry.address, instance.name);
    }
  }
}

/** Advertised, then excluded addresses, each with its model path. */
function addressEntries(instance: VrrpInstanceConfig): { entry: VirtualAddressConfig; path: string }[] {
  const at = instancePath(instance.name);
  return [
    ...instance.virtualAddresses.map((entry, index) => ({ entry, path: `${at}.virtualAddresses[${index}]` })),
    ...instance.excludedAddresses.map((entry, index) => ({ entry, path: `${at}.excludedAddresses[${index}]` })),
  ];
}
