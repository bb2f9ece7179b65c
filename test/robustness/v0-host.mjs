// For the probes that run inside a lab namespace against LinuxPlatform's address port: the built
// platform and logger, `ip`, an interface v0 (a veth, up) to make and remake, and the 192.0.2.x
// addresses on it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
export const { LinuxPlatform } = await import(join(root, 'dist', 'linux', 'platform.js'));
export const { createLogger } = await import(join(root, 'dist', 'core', 'log.js'));
export const ip = (...args) => execFileSync('ip', args, { encoding: 'utf8' });
export const makeV0 = () => {
  ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('link', 'set', 'v0', 'up');
};
export const on = () => JSON.parse(ip('-j', 'addr', 'show', 'dev', 'v0'))[0].addr_info.map((a) => a.local).filter((a) => a.startsWith('192.0.2.'));
