// `vrrpd run` with virtual servers given as the configuration model (JSON), for the load
// balancer's namespace tests that build their services in TypeScript (lb-nat, lb-dr): the
// keepalived.conf holds the VRRP part, the JSON the virtualServers and virtualServerGroups.
// (keepalived.conf's own virtual_server blocks are read too: lb-kube-keepalived-vip.test.ts runs one.)
// Usage: node lb-run.mjs keepalived.conf virtual-servers.json control-socket
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const [file, json, controlSocket] = process.argv.slice(2);
const { loadConfigOnThisHost } = await import(join(root, 'dist', 'cli', 'load-on-host.js'));
const { run } = await import(join(root, 'dist', 'cli', 'run.js'));
const loaded = await loadConfigOnThisHost(file);
const config = { ...loaded.config, ...JSON.parse(readFileSync(json, 'utf8')) };
process.exitCode = await run({ file, config, controlSocket, logLevel: 'debug' });
process.exit();
