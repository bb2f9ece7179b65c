// Tests that run vrrpd inside network namespaces start it as a separate process (`ip netns exec
// NS node dist/...`), so dist/ must match the sources: compile once before any test runs.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
