// Before any test: tests that run vrrpd inside network namespaces start it as a separate process
// (`ip netns exec NS node bin/vrrpd ...`), so dist/ and its bundle must match the sources: build once.
// Around the run: every temporary file of the run goes into one directory of its own (TMPDIR,
// which the test workers and everything they start inherit), so that what a run leaves behind is
// told apart from what other runs on the machine are doing. Whatever is still in it at the end is
// reported, removed, and fails the run; scripts/test repeats it in its closing line.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = join(import.meta.dirname, '..', '..');
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  // bin/vrrpd runs the bundles of dist/ (scripts/bundle.mjs; the daemon's with its code cache,
  // scripts/bundle-daemon.mjs).
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle-daemon.mjs')], { stdio: 'inherit' });
  const runTmp = mkdtempSync(join(tmpdir(), 'vrrpd-run-'));
  // Searchable by all, as /tmp is: tests run programs as `nobody` in directories they open to it.
  chmodSync(runTmp, 0o711);
  process.env['TMPDIR'] = runTmp;
  return () => {
    let left: string[] = [];
    try {
      left = readdirSync(runTmp).sort();
    } finally {
      rmSync(runTmp, { recursive: true, force: true });
    }
    const report = process.env['VRRPD_TEST_LEFTOVERS'];
    if (report) writeFileSync(report, left.join('\n'));
    if (left.length === 0) return;
    process.stderr.write(`\nFAIL: the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in their temporary directory (now removed): ${left.join(', ')}\n`);
    process.exitCode = 1;
  };
}
