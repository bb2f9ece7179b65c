// Checks a configuration model for what keepalived would refuse and what would misbehave on the
// wire or on the host. Every message names the field, the bad value and what is allowed; every
// issue carries a model path (paths.ts) that loaders turn into file:line:column.
import { collectIssues, type ConfigIssue, type IssueSink } from './issues.js';
import type { VrrpdConfig } from './model.js';
import { instancePath } from './paths.js';
import { validateBfdInstances } from './validate-bfd.js';
import { validateInstanceAddresses, validateSharedAddresses } from './validate-addresses.js';
import { validateInstanceRoutes } from './validate-routes.js';
import { validateGlobal } from './validate-global.js';
import { validateInstance } from './validate-instance.js';
import { validateSyncGroups } from './validate-sync-groups.js';
import { resolveVirtualServers } from './validate-virtual-servers.js';
import { validateInstanceWeights, validateTrackerDefinitions, validateTrackingLists } from './validate-tracking.js';
import { validationContext, type ValidationContext } from './validation-context.js';

// Loaders parse addresses with the same rules validation applies.
export { familyOf, parseAddressWithPrefix, isAddressParseError, type AddressParseError, type ParsedAddress } from './addresses.js';

/** All issues, in a stable order: global_defs, trackers, bfd_instances, instances, across instances, sync groups. */
export function validateConfig(config: VrrpdConfig): ConfigIssue[] {
  const sink = collectIssues();
  const ctx = validationContext(config, sink);
  validateGlobal(config.global, sink);
  validateTrackerDefinitions(ctx);
  validateBfdInstances(ctx);
  for (const instance of config.instances) {
    const at = instancePath(instance.name);
    validateInstance(instance, config.global.strict, sink);
    validateInstanceAddresses(instance, config.global.strict, sink);
    validateInstanceRoutes(instance, sink);
    validateTrackingLists(instance, at, ctx);
    validateInstanceWeights(instance, at, ctx);
  }
  validateInstanceIdentity(ctx);
  validateSharedAddresses(config, sink);
  validateSyncGroups(ctx);
  validateGarpGroups(config, sink);
  resolveVirtualServers(config, sink);
  return sink.issues;
}

/** An interface is paced by one garp_group only. */
function validateGarpGroups(config: VrrpdConfig, report: IssueSink): void {
  const grouped = new Set<string>();
  (config.garpGroups ?? []).forEach((group, index) => {
    group.interfaces.forEach((name, position) => {
      if (grouped.has(name)) report.error(`garpGroups[${index}].interfaces[${position}]`, `interface ${name} is already in another garp_group: an interface can be in one garp_group only`);
      grouped.add(name);
    });
  });
}

/** Names are how sync groups and reloads refer to instances; VRIDs are how the wire does. */
function validateInstanceIdentity({ config, report }: ValidationContext): void {
  const names = new Set<string>();
  const routers = new Map<string, string>();
  for (const instance of config.instances) {
    const at = instancePath(instance.name);
    if (names.has(instance.name)) report.error(at, `vrrp_instance ${instance.name} is defined twice: names must be unique`);
    names.add(instance.name);
    // RFC 5798 §5.2.3: a VRID names one virtual router per link and family. keepalived also lets
    // unicast instances with disjoint peers share one, but vrrpd hands an advert to every router of
    // its VRID and family on the link (protocol/dispatch.ts), so here a VRID is one router per link.
    const key = `${instance.interface}|${instance.family}|${instance.virtualRouterId}`;
    const other = routers.get(key);
    if (other !== undefined && other !== instance.name) {
      report.error(
        `${at}.virtualRouterId`,
        `virtual_router_id ${instance.virtualRouterId} is already used by ${other} on ${instance.interface} (${instance.family}); each virtual router on a link needs its own VRID`,
      );
    } else routers.set(key, instance.name);
  }
}
