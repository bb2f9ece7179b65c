// The model as a YAML configuration (`vrrpd convert --to yaml`): the keys yaml/translate.ts
// reads, keepalived keywords in camelCase, times in seconds as keepalived writes them.
import { stringify } from 'yaml';
import type { VrrpdConfig } from '../model.js';
import { camelCase } from '../yaml/translate.js';
import { configEntries, type Entry } from './entries.js';

type Value = string | number | boolean | Value[] | { [key: string]: Value };

/** Script keywords whose `<script> USER [GROUP]` becomes `{script, user}`. */
const SCRIPT_KEYWORDS = new Set([
  'notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify', 'notify_master_rx_lower_pri', 'notify_deleted', 'notify_fifo_script',
]);

/** Blocks whose children are list entries (`addr dev eth0`, `chk_x weight 10`), not keywords. */
const LIST_BLOCKS = new Set([
  'unicast_peer', 'virtual_ipaddress', 'virtual_ipaddress_excluded', 'virtual_routes', 'virtual_rules', 'track_interface', 'track_script', 'track_file', 'track_process', 'group', 'interfaces',
]);

export function writeYamlConfig(config: VrrpdConfig, header?: string): string {
  const document: Record<string, Value> = {};
  const named = (key: string): Record<string, Value> => (document[key] ??= {}) as Record<string, Value>;
  for (const entry of configEntries(config)) {
    const body = blockValue(entry);
    if (entry.keyword === 'global_defs') document['global'] = body;
    else if (entry.keyword === 'vrrp_script') named('vrrpScripts')[entry.args[0]!] = body;
    else if (entry.keyword === 'track_file') named('trackFiles')[entry.args[0]!] = body;
    else if (entry.keyword === 'vrrp_track_process') named('vrrpTrackProcesses')[entry.args[0]!] = body;
    else if (entry.keyword === 'vrrp_sync_group') named('syncGroups')[entry.args[0]!] = body;
    else if (entry.keyword === 'vrrp_instance') ((document['vrrpInstances'] ??= []) as Value[]).push({ name: entry.args[0]!, ...body });
    else if (entry.keyword === 'garp_group') ((document['garpGroups'] ??= []) as Value[]).push(body);
  }
  const text = stringify(document, { lineWidth: 0 });
  return (header ? header.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n') + '\n' : '') + (Object.keys(document).length > 0 ? text : '{}\n');
}

function blockValue(entry: Entry): Record<string, Value> {
  const body: Record<string, Value> = {};
  for (const child of entry.children ?? []) {
    const key = camelCase(child.keyword);
    if (child.children !== undefined) {
      body[key] = LIST_BLOCKS.has(child.keyword) ? child.children.map((item) => [item.keyword, ...item.args].join(' ')) : blockValue(child);
    } else if (child.keyword === 'weight' && child.args[1] === 'reverse') {
      // `weight -20 reverse` in a vrrp_script / track_file / vrrp_track_process block.
      body[key] = scalar(child.args[0]!);
      body['reverse'] = true;
    } else if (SCRIPT_KEYWORDS.has(child.keyword) && child.args.length > 1) {
      body[key] = { script: child.args[0]!, user: child.args.slice(1).join(' ') };
    } else if (child.args.length === 0) body[key] = true;
    else body[key] = child.args.length === 1 ? scalar(child.args[0]!) : child.args.join(' ');
  }
  return body;
}

/** Numbers and booleans as YAML writes them, when that reads back as the same text. */
function scalar(text: string): Value {
  if (text === 'true' || text === 'false') return text === 'true';
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) && String(number) === text ? number : text;
}
