// The yaml package, loaded the first time a YAML file is read or written rather than when the
// configuration loader is imported: a keepalived.conf never needs it, and loading it costs every
// `vrrpd run` and `vrrpd check` about 70 files at start-up and some MB of heap (issue 16).
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let library: typeof Yaml | undefined;

export function yamlLibrary(): typeof Yaml {
  library ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return library;
}
