// The load balancer as the daemon knows it before its code is loaded (../subsystem.ts,
// loadedOnDemand): wanted when a virtual_server resolves (one whose group or address is missing
// is reported by validation and runs nothing).
import { collectIssues } from '../../config/issues.js';
import { resolveVirtualServers } from '../../config/validate-virtual-servers.js';
import type { SubsystemKind } from '../subsystem.js';

export const LB_KIND: SubsystemKind = {
  name: 'lb',
  block: 'virtual_server',
  commands: [],
  wanted: (config) => resolveVirtualServers(config, collectIssues()).length > 0,
};
