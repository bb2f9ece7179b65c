// Loading a configuration file of any supported format; the one entry point for `check`, `run`
// and reload. `.yaml` / `.yml` files are YAML (Kubernetes ConfigMaps); anything else is
// keepalived.conf syntax.
import { extname } from 'node:path';
import type { InterfaceResolver } from './interface-detection.js';
import { loadKeepalivedConfig, type LoadResult } from './keepalived/loader.js';
import { loadYamlFile, loadYamlFileOnHost } from './yaml/loader.js';

export type { LoadResult };

export interface LoadOptions {
  /** keepalived's config id for `@id` lines (`-i`); keepalived defaults to the host name. */
  readonly configId?: string;
}

export type ConfigFormat = 'keepalived' | 'yaml';

export function configFormat(path: string): ConfigFormat {
  const extension = extname(path).toLowerCase();
  return extension === '.yaml' || extension === '.yml' ? 'yaml' : 'keepalived';
}

/** Without the host: interface detection (YAML) is reported as a warning and not done. */
export function loadConfigFile(path: string, options: LoadOptions = {}): LoadResult {
  if (configFormat(path) === 'yaml') return loadYamlFile(path);
  return loadKeepalivedConfig(path, options.configId !== undefined ? { configId: options.configId } : {});
}

/** On the host that will run it: interface detection is done through the resolver (at start and on reload). */
export async function loadConfigFileOnHost(path: string, resolver: InterfaceResolver, options: LoadOptions = {}): Promise<LoadResult> {
  if (configFormat(path) === 'yaml') return loadYamlFileOnHost(path, resolver);
  return loadConfigFile(path, options);
}
