// YAML configuration files (`.yaml` / `.yml`, for Kubernetes ConfigMaps) onto the model. The
// translation to keepalived statements (translate.ts) keeps YAML positions, so the keepalived
// loader's checks and validation report file:line:column in the YAML file; their messages are
// reworded with the YAML keys the operator wrote.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigIssue } from '../issues.js';
import { detectInterfaces, type DetectedInterfaces, type DetectionRequest, type InterfaceResolver } from '../interface-detection.js';
import { loadStatements, type LoadResult } from '../keepalived/loader.js';
import { REGISTRY, type Registry } from '../keywords/index.js';
import { camelCase, keywordsWithYamlKeysOf, translateYaml } from './translate.js';

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };

export interface YamlLoadOptions {
  /** Interfaces the host detected (see interface-detection.ts); without them detections are warnings. */
  readonly detected?: DetectedInterfaces;
  /** The block types read (a test passes its own, with a made-up block type). */
  readonly registry?: Registry;
}

export interface YamlLoadResult extends LoadResult {
  /** Interface detections the file asks for; resolve them with a resolver and load again. */
  readonly detections: readonly DetectionRequest[];
}

export function loadYamlText(text: string, name: string, options: YamlLoadOptions = {}): YamlLoadResult {
  const registry = options.registry ?? REGISTRY;
  const translation = translateYaml(text, { file: name, registry, ...(options.detected ? { detected: options.detected } : {}) });
  const loaded = loadStatements({ statements: translation.statements, problems: [], files: [name] }, registry);
  const yamlSpelled = keywordsWithYamlKeysOf(registry);
  return {
    ...loaded,
    issues: [...translation.issues, ...loaded.issues.map((issue) => inYamlTerms(issue, yamlSpelled))],
    detections: translation.detections,
  };
}

export function loadYamlFile(path: string, options: YamlLoadOptions = {}): YamlLoadResult {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const reason = READ_ERRORS[code] ?? code;
    return { ...loadYamlText('', file, options), issues: [{ severity: 'error', path: 'file', message: `cannot read ${file}: ${reason}`, location: { file, line: 0, column: 0 } }] };
  }
  return loadYamlText(text, file, options);
}

/** Loads, asks the host for the detected interfaces, and loads again with the answers. */
export async function loadYamlFileOnHost(path: string, resolver: InterfaceResolver): Promise<YamlLoadResult> {
  const first = loadYamlFile(path);
  if (first.detections.length === 0) return first;
  return loadYamlFile(path, { detected: await detectInterfaces(first.detections, resolver) });
}

/** `advert_int "x" is not valid` reads `advertInt "x" is not valid` in a YAML file. */
function inYamlTerms(issue: ConfigIssue, yamlSpelled: ReadonlySet<string>): ConfigIssue {
  const message = issue.message.replace(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g, (word) => (yamlSpelled.has(word) ? camelCase(word) : word));
  return message === issue.message ? issue : { ...issue, message };
}
