// A copy of the built package whose dist/bundle/ lacks or spoils some files, to run bin/vrrpd as
// an install missing them would: its bin/ and package.json copied (bin/vrrpd finds dist/ beside
// itself), links to everything else, so that the checkout's own files stay as built.
import { copyFileSync, cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './scratch.js';

export const PACKAGE_ROOT = join(import.meta.dirname, '..', '..');
export const BUNDLE_DIR = join(PACKAGE_ROOT, 'dist', 'bundle');

/** The package with dist/bundle/'s `left` files absent and `replaced` ones written anew; returns its root. */
export function packageCopy(left: readonly string[], replaced: Readonly<Record<string, Buffer>> = {}): string {
  const copy = scratchDir('package-copy');
  cpSync(join(PACKAGE_ROOT, 'bin'), join(copy, 'bin'), { recursive: true });
  copyFileSync(join(PACKAGE_ROOT, 'package.json'), join(copy, 'package.json'));
  for (const name of ['node_modules', 'native-shims']) symlinkSync(join(PACKAGE_ROOT, name), join(copy, name));
  mkdirSync(join(copy, 'dist', 'bundle'), { recursive: true });
  for (const name of readdirSync(join(PACKAGE_ROOT, 'dist'))) if (name !== 'bundle') symlinkSync(join(PACKAGE_ROOT, 'dist', name), join(copy, 'dist', name));
  for (const name of readdirSync(BUNDLE_DIR)) {
    if (left.includes(name)) continue;
    const content = replaced[name];
    if (content) writeFileSync(join(copy, 'dist', 'bundle', name), content);
    else symlinkSync(join(BUNDLE_DIR, name), join(copy, 'dist', 'bundle', name));
  }
  return copy;
}
