// Namespace labs for tests that need a real network: src/lab/namespaces.ts (shared with `vrrpd
// lab`) under the tests' own prefix, so a test run and an operator's lab never sweep each other.
// Everything made here is removed by destroy(), after the test file if a test forgot (cleanup.ts),
// and by sweepStaleLabs() if a previous run was killed. Only documentation addresses are used by callers.
import { destroyLiveLabsSync, NamespaceLab as Lab, sweepStaleLabs as sweepLabs } from '../../src/cli/lab/namespaces.js';

export { isRoot, LabHost, processAlive, sh, type CommandResult } from '../../src/cli/lab/namespaces.js';

/** The first part of every test lab's name (and of the nspawn machines named after labs). */
export const LAB_PREFIX = 'vrrpdt';

export type NamespaceLab = Lab;
export const NamespaceLab = {
  /** A new lab with its switch (a bridge `br0` in its own namespace). */
  create: (): Promise<Lab> => Lab.create(LAB_PREFIX),
};

/** Removes labs left behind by test runs that were killed (their pid is gone). */
export async function sweepStaleLabs(): Promise<void> {
  await sweepLabs(LAB_PREFIX);
}

// A last resort outside vitest (benchmarks): synchronous, on exit.
process.once('exit', destroyLiveLabsSync);
