// Loading a configuration as the daemon does, at start and on reload: interface detection (YAML
// `detectionStrategy`) is answered by this host through rtnetlink, and the interfaces named must
// exist here, in vrrpd's own network namespace (rtnetlink too).
import { withHostIssues } from '../config/host-check.js';
import { loadConfigFileOnHost, type LoadOptions, type LoadResult } from '../config/load.js';
import { RtnetlinkInterfaceResolver } from '../linux/interface-resolver.js';

export function loadConfigOnThisHost(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  return RtnetlinkInterfaceResolver.withSocket(async (resolver) => {
    const loaded = await loadConfigFileOnHost(file, resolver, options);
    const names = await resolver.interfaceNames();
    return withHostIssues(loaded, (name) => names.has(name));
  });
}
