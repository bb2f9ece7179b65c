// Namespace labs: hosts in their own network namespaces, each with an `eth0` veth whose peer sits
// on a bridge inside a dedicated "switch" namespace, so nothing is created in the root namespace.
// Used by `vrrpd lab` and by the tests (test/helpers/netns.ts). A lab's names are
// `<prefix>-<pid>-<n>[-<host>]`: unique per run, and a lab whose pid is gone can be found and swept.
import { execFile, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
let labCounter = 0;
const liveLabs = new Set<NamespaceLab>();

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** A command that failed, with what it printed on stderr. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export async function sh(command: string, args: readonly string[]): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], { maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr };
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new CommandError(`${command} ${args.join(' ')} failed: ${failure.stderr?.trim() || failure.message}`);
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export class LabHost {
  private readonly processes = new Set<ChildProcess>();

  constructor(
    readonly lab: NamespaceLab,
    readonly name: string,
    /** The network namespace's name (for `ip netns exec`). */
    readonly netns: string,
    /** The interface's peer on the bridge, in the switch namespace (to take the link down). */
    readonly switchPort: string,
  ) {}

  /** Runs a command inside the namespace and waits for it. */
  exec(command: string, args: readonly string[] = []): Promise<CommandResult> {
    return sh('ip', ['netns', 'exec', this.netns, command, ...args]);
  }

  /** `ip -n NS ...`: iproute2 in the namespace. */
  ip(...args: string[]): Promise<CommandResult> {
    return sh('ip', ['-n', this.netns, ...args]);
  }

  /**
   * Starts a long-running command in the namespace; it is killed when the lab is destroyed.
   * `ip netns exec` execs the command, so the child's pid is the command's own.
   */
  spawn(command: string, args: readonly string[] = [], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.netns, command, ...args], { stdio: 'pipe', ...options });
    this.processes.add(child);
    child.once('exit', () => this.processes.delete(child));
    return child;
  }

  /** The addresses on an interface, as `ip -j addr` reports them. */
  async addresses(device = 'eth0'): Promise<string[]> {
    const { stdout } = await this.ip('-j', 'addr', 'show', 'dev', device);
    const parsed = JSON.parse(stdout) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
    return parsed.flatMap((link) => link.addr_info.map((info) => `${info.local}/${info.prefixlen}`));
  }

  /** Takes the host's link down or up from the switch side (the host sees carrier loss). */
  async setCarrier(up: boolean): Promise<void> {
    await sh('ip', ['-n', this.lab.switchNetns, 'link', 'set', this.switchPort, up ? 'up' : 'down']);
  }

  /**
   * Every process in the namespace dies at once, as when the host does. They are frozen first
   * (SIGSTOP), then killed: killed one by one, keepalived's VRRP child would notice its parent's
   * death and hand over gracefully (priority 0) before its own SIGKILL arrived.
   */
  async crash(): Promise<void> {
    const pids = await namespacePids(this.netns);
    for (const signal of ['SIGSTOP', 'SIGKILL'] as const) for (const pid of pids) signalProcess(pid, signal);
  }

  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const child of this.processes) child.kill(signal);
  }

  /** The processes this host started that are still running. */
  get running(): readonly ChildProcess[] {
    return [...this.processes];
  }
}

export class NamespaceLab {
  readonly switchNetns: string;
  readonly hosts: LabHost[] = [];
  private extraPorts = 0;

  private constructor(readonly id: string) {
    this.switchNetns = `${id}-sw`;
  }

  /** A new lab named `<prefix>-<pid>-<n>`, with its switch (a bridge `br0` in its own namespace). */
  static async create(prefix: string): Promise<NamespaceLab> {
    const lab = new NamespaceLab(`${prefix}-${process.pid}-${++labCounter}`);
    liveLabs.add(lab);
    await sh('ip', ['netns', 'add', lab.switchNetns]);
    await sh('ip', ['-n', lab.switchNetns, 'link', 'add', 'br0', 'type', 'bridge']);
    await sh('ip', ['-n', lab.switchNetns, 'link', 'set', 'br0', 'up']);
    return lab;
  }

  /**
   * Adds a host with `eth0` on the bridge, up, with the given addresses ("192.0.2.1/24",
   * "2001:db8::1/64"). IPv6 duplicate address detection is disabled so addresses are usable at once.
   */
  async addHost(name: string, addresses: readonly string[] = []): Promise<LabHost> {
    const netns = `${this.id}-${name}`;
    const port = `p${this.hosts.length + 1}`;
    await sh('ip', ['netns', 'add', netns]);
    const host = new LabHost(this, name, netns, port);
    this.hosts.push(host);
    await host.exec('sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    await sh('ip', ['link', 'add', 'eth0', 'netns', netns, 'type', 'veth', 'peer', 'name', port, 'netns', this.switchNetns]);
    await sh('ip', ['-n', this.switchNetns, 'link', 'set', port, 'master', 'br0', 'up']);
    await host.ip('link', 'set', 'lo', 'up');
    await host.ip('link', 'set', 'eth0', 'up');
    for (const address of addresses) await host.ip('addr', 'add', address, 'dev', 'eth0', ...(address.includes(':') ? ['nodad'] : []));
    return host;
  }

  /**
   * Adds another interface to a host, on a second bridge (`br1`, made on first use) so it is a
   * separate link from eth0. Returns the interface's port on the switch side, for
   * setPortCarrier(). For sync groups: two instances on two links.
   */
  async addInterface(host: LabHost, device: string, addresses: readonly string[] = [], bridge = 'br1'): Promise<string> {
    const { stdout } = await sh('ip', ['-n', this.switchNetns, '-j', 'link', 'show']);
    if (!(JSON.parse(stdout) as Array<{ ifname: string }>).some((link) => link.ifname === bridge)) {
      await sh('ip', ['-n', this.switchNetns, 'link', 'add', bridge, 'type', 'bridge']);
      await sh('ip', ['-n', this.switchNetns, 'link', 'set', bridge, 'up']);
    }
    const port = `q${++this.extraPorts}`;
    await sh('ip', ['link', 'add', device, 'netns', host.netns, 'type', 'veth', 'peer', 'name', port, 'netns', this.switchNetns]);
    await sh('ip', ['-n', this.switchNetns, 'link', 'set', port, 'master', bridge, 'up']);
    await host.ip('link', 'set', device, 'up');
    for (const address of addresses) await host.ip('addr', 'add', address, 'dev', device, ...(address.includes(':') ? ['nodad'] : []));
    return port;
  }

  /** Takes a switch port (from addInterface) down or up: the host sees carrier loss on that link. */
  async setPortCarrier(port: string, up: boolean): Promise<void> {
    await sh('ip', ['-n', this.switchNetns, 'link', 'set', port, up ? 'up' : 'down']);
  }

  host(name: string): LabHost {
    const host = this.hosts.find((candidate) => candidate.name === name);
    if (!host) throw new Error(`lab ${this.id} has no host ${name}`);
    return host;
  }

  /** Every namespace of the lab, hosts first. */
  get namespaces(): string[] {
    return [...this.hosts.map((host) => host.netns), this.switchNetns];
  }

  /** Kills every process started in the lab and deletes its namespaces (with their links). */
  async destroy(): Promise<void> {
    liveLabs.delete(this);
    for (const host of this.hosts) host.killAll();
    for (const netns of this.namespaces) await deleteNamespace(netns);
  }

  /** The lab outlives this process (`vrrpd lab --keep`): the exit hook leaves it alone. */
  release(): void {
    liveLabs.delete(this);
  }
}

export async function namespacePids(netns: string): Promise<number[]> {
  const { stdout } = await sh('ip', ['netns', 'pids', netns]).catch(() => ({ stdout: '' }));
  return stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** Kills whatever runs in the namespace (also processes started some other way), then deletes it. */
export async function deleteNamespace(netns: string): Promise<void> {
  for (const pid of await namespacePids(netns)) signalProcess(pid, 'SIGKILL');
  await sh('ip', ['netns', 'del', netns]).catch(() => undefined);
}

export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await sh('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** The labs with this prefix that exist now: lab id -> its namespaces. */
export async function existingLabs(prefix: string): Promise<Map<string, { pid: number; namespaces: string[] }>> {
  const labs = new Map<string, { pid: number; namespaces: string[] }>();
  const pattern = new RegExp(`^(${escapeRegExp(prefix)}-(\\d+)-\\d+)-`);
  for (const name of await listNamespaces()) {
    const match = pattern.exec(name);
    if (!match?.[1]) continue;
    const entry = labs.get(match[1]) ?? { pid: Number(match[2]), namespaces: [] };
    entry.namespaces.push(name);
    labs.set(match[1], entry);
  }
  return labs;
}

/** Removes labs with this prefix left behind by runs that were killed (their pid is gone), unless `keep` says not to. */
export async function sweepStaleLabs(prefix: string, keep: (labId: string) => boolean = () => false): Promise<string[]> {
  const removed: string[] = [];
  for (const [id, lab] of await existingLabs(prefix)) {
    if (lab.pid === process.pid || processAlive(lab.pid) || keep(id)) continue;
    for (const netns of lab.namespaces) await deleteNamespace(netns);
    removed.push(id);
  }
  return removed;
}

/** A last resort when the process exits with labs still up (synchronous, for an exit hook). */
export function destroyLiveLabsSync(): void {
  for (const lab of liveLabs) {
    for (const host of lab.hosts) host.killAll();
    for (const netns of lab.namespaces) spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  }
  liveLabs.clear();
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
