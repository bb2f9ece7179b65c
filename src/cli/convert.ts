// `vrrpd convert -f FILE [--to yaml|keepalived]`: keepalived.conf to the equivalent YAML and back,
// so a team can move between formats at its own pace. The output loads to the same model.
import { basename } from 'node:path';
import { formatIssue, hasErrors } from '../config/issues.js';
import type { InterfaceResolver } from '../config/interface-detection.js';
import { configFormat, loadConfigFile, loadConfigFileOnHost, type ConfigFormat } from '../config/load.js';
import { writeKeepalivedConfig } from '../config/write/keepalived.js';
import { writeYamlConfig } from '../config/write/yaml.js';
import { loadYamlFile } from '../config/yaml/loader.js';
import { describeDetection } from '../config/interface-detection.js';
import { UsageError } from './errors.js';

export interface ConvertOptions {
  readonly file: string;
  /** Default: the other format. */
  readonly to?: string;
  readonly configId?: string;
  /** Resolves YAML interface detection, which keepalived.conf cannot express. */
  readonly resolver?: InterfaceResolver;
}

export async function convert(options: ConvertOptions, write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  const from = configFormat(options.file);
  const to = target(options.to, from);
  const loadOptions = options.configId !== undefined ? { configId: options.configId } : {};
  if (from === 'yaml' && to === 'keepalived' && !options.resolver) {
    const detections = loadYamlFile(options.file).detections;
    if (detections.length > 0) {
      for (const { detection, location } of detections) {
        writeError(`${location.file}:${location.line}:${location.column}: error: keepalived.conf names interfaces; ${describeDetection(detection)} is only known on the host (run convert there with --host)\n`);
      }
      return 1;
    }
  }
  const loaded = options.resolver ? await loadConfigFileOnHost(options.file, options.resolver, loadOptions) : loadConfigFile(options.file, loadOptions);
  for (const issue of loaded.issues) writeError(formatIssue(issue) + '\n');
  if (hasErrors(loaded.issues)) {
    writeError(`vrrpd: ${options.file} has errors; not converted\n`);
    return 1;
  }
  const header = `Converted by vrrpd convert from ${basename(options.file)}`;
  write(to === 'yaml' ? writeYamlConfig(loaded.config, header) : writeKeepalivedConfig(loaded.config, header));
  return 0;
}

function target(to: string | undefined, from: ConfigFormat): ConfigFormat {
  if (to === undefined) return from === 'yaml' ? 'keepalived' : 'yaml';
  if (to === 'yaml' || to === 'keepalived') return to;
  throw new UsageError(`--to: "${to}" is not a format: expected yaml or keepalived`);
}
