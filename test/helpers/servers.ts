// Real servers for the built-in checkers' tests, run inside lab hosts: nginx (HTTP and HTTPS with
// a certificate a test CA signed), dnsmasq, and the certificates. Everything lives in a scratch
// directory the caller removes; the processes die with the lab.
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabHost } from './netns.js';
import { waitFor } from './daemons.js';
import { scratchDir } from './scratch.js';

const have = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
export const haveServers = have('nginx', ['-v']) && have('dnsmasq', ['--version']) && have('openssl', ['version']);

/** A scratch directory (scratch.ts) others can read, for the servers' files. */
export function serverDir(name: string): string {
  const dir = scratchDir(name);
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * A CA (ca.pem), a server certificate it signed (server.pem, server.key) for `names` (DNS names
 * and addresses), another CA (other.pem), and a self-signed certificate for self.example.test
 * that no CA vouches for (self.pem, self.key).
 */
export function makeCertificates(dir: string, names: readonly string[]): void {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=vrrpd test CA');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=another CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0] ?? 'server'}`);
  writeFileSync(join(dir, 'san.ext'), `subjectAltName=${names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',')}\n`);
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=self.example.test');
}

export interface NginxOptions {
  /** `listen` arguments for plain HTTP ("192.0.2.20:80", "[2001:db8::20]:80"). */
  readonly http?: readonly string[];
  /** `listen` arguments for HTTPS (server.pem / server.key from makeCertificates). */
  readonly https?: readonly string[];
  /** Where its access log goes (one line per request); none: off. */
  readonly accessLog?: string;
}

/**
 * nginx serving /readyz and /healthz ("ok"), /unavailable (503), /whoami (the client address),
 * /sni (the SNI name), /reused ("r" for a resumed TLS session, else "."; with a session cache,
 * so that a client offering its last session gets it resumed: checks must not). Returns the config file; start it with startNginx.
 */
export function nginxConfig(dir: string, name: string, options: NginxOptions): string {
  const listen = [...(options.http ?? []).map((at) => `listen ${at};`), ...(options.https ?? []).map((at) => `listen ${at} ssl;`)];
  const text = `
pid ${dir}/${name}.pid;
error_log stderr;
daemon off;
master_process off;
worker_rlimit_nofile 4096;
events { worker_connections 2048; }
http {
  access_log ${options.accessLog ?? 'off'};
  client_body_temp_path ${dir}/${name}-body;
  proxy_temp_path ${dir}/${name}-proxy;
  fastcgi_temp_path ${dir}/${name}-fastcgi;
  uwsgi_temp_path ${dir}/${name}-uwsgi;
  scgi_temp_path ${dir}/${name}-scgi;
  server {
    ${listen.join('\n    ')}
    ${options.https?.length ? `ssl_certificate ${dir}/server.pem;\n    ssl_certificate_key ${dir}/server.key;\n    ssl_session_cache shared:resumed:1m;` : ''}
    location = /readyz { default_type text/plain; return 200 "ok"; }
    location = /healthz { default_type text/plain; return 200 "ok"; }
    location = /unavailable { return 503; }
    location = /whoami { default_type text/plain; return 200 "$remote_addr"; }
    location = /sni { default_type text/plain; return 200 "$ssl_server_name"; }
    location = /reused { default_type text/plain; return 200 "$ssl_session_reused"; }
  }
}
`;
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, text);
  return file;
}

export interface Running {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** SIGTERM, and wait for it to be gone. */
  stop(): Promise<void>;
}

function running(child: ChildProcess): Running {
  const lines: string[] = [];
  const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    lines,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts nginx in `host` and waits until `listening` ("192.0.2.20:443", "127.0.0.1:6443") accepts. */
export async function startNginx(host: LabHost, config: string, listening: string): Promise<Running> {
  const nginx = running(host.spawn('nginx', ['-e', 'stderr', '-c', config]));
  await waitFor(`nginx on ${listening}`, async () => (await host.exec('ss', ['-ltnH'])).stdout.includes(listening), 15_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${nginx.lines.join('\n')}`);
  });
  return nginx;
}

/** dnsmasq on `addresses` port 53, answering A queries for svc.example.test (and REFUSED for what it does not know). */
export async function startDnsmasq(host: LabHost, addresses: readonly string[]): Promise<Running> {
  const dnsmasq = running(
    host.spawn('dnsmasq', [
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      '--conf-file=/dev/null',
      '--user=root',
      '--pid-file',
      '--log-facility=-',
      '--bind-interfaces',
      ...addresses.map((address) => `--listen-address=${address}`),
      '--address=/svc.example.test/192.0.2.53',
    ]),
  );
  await waitFor('dnsmasq', async () => (await host.exec('ss', ['-lunH'])).stdout.includes(`${addresses[0]}:53`), 15_000);
  return dnsmasq;
}
