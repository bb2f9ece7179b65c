// What only the host that runs a configuration can tell: whether the interfaces it names exist.
// `vrrpd check` reports them as warnings (the file may be meant for another host; `--offline`
// skips them); `check --host`, `run` and reload as errors at the line that names the interface,
// so a typo'd interface is refused with file:line:column instead of failing when it starts.
// The host's answer comes from the caller: on Linux, rtnetlink in vrrpd's own network namespace
// (src/linux/interface-resolver.ts), not /sys/class/net, which shows the namespace of whoever
// mounted sysfs (a container entered with nsenter, an nspawn machine: the host's links).
import { collectIssues, locateIssues, type ConfigIssue } from './issues.js';
import type { LoadResult } from './keepalived/loader.js';
import type { VrrpdConfig } from './model.js';
import { instancePath, syncGroupPath } from './paths.js';

// A tracked interface may come later (a tunnel, a hot-plugged NIC): it counts as down until then.
const MISSING_TRACKED = (name: string): string => `track_interface ${name} does not exist on this host (yet): it counts as down`;

export type InterfaceExists = (name: string) => boolean;

export function hostIssues(config: VrrpdConfig, exists: InterfaceExists): ConfigIssue[] {
  const report = collectIssues();
  // YAML interface detection that was not done (check without --host) leaves "(DefaultRoute)".
  const missing = (name: string): boolean => name !== '' && !name.startsWith('(') && !exists(name);
  for (const instance of config.instances) {
    const at = instancePath(instance.name);
    if (missing(instance.interface)) report.error(`${at}.interface`, `interface ${instance.interface} does not exist on this host`);
    for (const [field, addresses] of [['virtualAddresses', instance.virtualAddresses], ['excludedAddresses', instance.excludedAddresses]] as const) {
      addresses.forEach((address, index) => {
        if (address.device !== undefined && missing(address.device)) report.error(`${at}.${field}[${index}]`, `dev ${address.device} of ${address.address} does not exist on this host`);
      });
    }
    instance.trackInterfaces.forEach((tracked, index) => {
      if (missing(tracked.name)) report.warning(`${at}.trackInterfaces[${index}]`, MISSING_TRACKED(tracked.name));
    });
  }
  for (const group of config.syncGroups) {
    group.trackInterfaces.forEach((tracked, index) => {
      if (missing(tracked.name)) report.warning(`${syncGroupPath(group.name)}.trackInterfaces[${index}]`, MISSING_TRACKED(tracked.name));
    });
  }
  return report.issues;
}

/**
 * The load result with the host's issues added, located where the file names the interfaces.
 * `asWarnings`: `vrrpd check` without --host, where the file may be meant for another host.
 */
export function withHostIssues(result: LoadResult, exists: InterfaceExists, asWarnings = false): LoadResult {
  const found = hostIssues(result.config, exists).map((issue) => (asWarnings ? { ...issue, severity: 'warning' as const } : issue));
  const issues = locateIssues(found, result.sourceMap ?? new Map());
  return issues.length === 0 ? result : { ...result, issues: [...result.issues, ...issues] };
}
