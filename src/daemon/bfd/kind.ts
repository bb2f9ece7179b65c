// BFD as the daemon knows it before its code is loaded (../subsystem.ts, loadedOnDemand).
import type { SubsystemKind } from '../subsystem.js';

export const BFD_KIND: SubsystemKind = {
  name: 'bfd',
  block: 'bfd_instance',
  commands: [],
  wanted: (config) => (config.bfdInstances?.length ?? 0) > 0,
};
