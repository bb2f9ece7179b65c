// Loading a configuration file of any supported format; the one entry point for `check`, `run`
// and reload.
import { loadKeepalivedConfig, type LoadResult } from './keepalived/loader.js';

export type { LoadResult };

export interface LoadOptions {
  /** keepalived's config id for `@id` lines (`-i`); keepalived defaults to the host name. */
  readonly configId?: string;
}

export function loadConfigFile(path: string, options: LoadOptions = {}): LoadResult {
  // YAML arrives with the Kubernetes work; until then every file is keepalived.conf syntax.
  return loadKeepalivedConfig(path, options.configId !== undefined ? { configId: options.configId } : {});
}
