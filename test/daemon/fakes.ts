// In-memory stand-ins for the host ports, and a logger whose lines tests can read.
import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../src/core/log.js';
import { routeText, ruleText } from '../../src/config/route-text.js';
import type { AddressPort, AdvertisementChannel, AnnouncePort, RoutePort, VirtualAddressSpec, VirtualRouteSpec, VirtualRuleSpec } from '../../src/daemon/vrrp/ports.js';

export class FakeChannel implements AdvertisementChannel {
  readonly sent: Array<{ bytes: Uint8Array; destination: string }> = [];
  constructor(readonly sourceAddress: string) {}
  send(bytes: Uint8Array, destination: string): void {
    this.sent.push({ bytes, destination });
  }
}

/** Each change as it is asked for (`add 192.0.2.100/24 dev eth0`, `remove route ...`). */
export type CallObserver = (call: string) => void;

export class FakeAddresses implements AddressPort {
  readonly present = new Set<string>();
  /** Addresses whose next change fails with this message. */
  readonly failures = new Map<string, string>();

  constructor(
    readonly calls: string[] = [],
    private readonly observe?: CallObserver,
  ) {}

  async add(spec: VirtualAddressSpec): Promise<void> {
    await Promise.resolve();
    this.record(`add ${spec.address}/${spec.prefixLength} dev ${spec.device}`);
    this.failIfAsked(spec);
    this.present.add(spec.address);
  }

  /** VIPs readied at start (prepare), apart from the calls that change the host. */
  readonly prepared: string[] = [];

  async prepare(spec: VirtualAddressSpec): Promise<void> {
    await Promise.resolve();
    this.prepared.push(`${spec.address}/${spec.prefixLength} dev ${spec.device}`);
  }

  async remove(spec: VirtualAddressSpec): Promise<void> {
    await Promise.resolve();
    this.record(`remove ${spec.address}/${spec.prefixLength} dev ${spec.device}`);
    this.failIfAsked(spec);
    this.present.delete(spec.address);
  }

  private record(call: string): void {
    this.calls.push(call);
    this.observe?.(call);
  }

  private failIfAsked(spec: VirtualAddressSpec): void {
    const failure = this.failures.get(spec.address);
    if (failure) {
      this.failures.delete(spec.address);
      throw new Error(failure);
    }
  }
}

/**
 * A host whose adds can be settled in the caller's call (AddressPort.addNow, as the Linux platform's
 * netlink request answered at once): `addNow` adds what `settlesAtOnce` allows and leaves the rest
 * to add(). Each call is recorded as `addNow ADDRESS/LEN dev DEVICE`.
 */
export class ImmediateFakeAddresses extends FakeAddresses {
  settlesAtOnce: (spec: VirtualAddressSpec) => boolean = () => true;

  addNow(spec: VirtualAddressSpec): boolean {
    this.calls.push(`addNow ${spec.address}/${spec.prefixLength} dev ${spec.device}`);
    if (!this.settlesAtOnce(spec)) return false;
    this.present.add(spec.address);
    return true;
  }
}

/** Routes and rules as `ip` would print them, in `present`; every call in `calls` (which may be shared with FakeAddresses to see the order). */
export class FakeRoutes implements RoutePort {
  readonly present = new Set<string>();
  /** Routes or rules (by their text) whose next change fails with this message. */
  readonly failures = new Map<string, string>();

  constructor(
    readonly calls: string[] = [],
    private readonly observe?: CallObserver,
  ) {}

  async addRoute(spec: VirtualRouteSpec): Promise<void> {
    await this.change('add', `route ${routeText(spec)}`);
  }

  async removeRoute(spec: VirtualRouteSpec): Promise<void> {
    await this.change('remove', `route ${routeText(spec)}`);
  }

  async addRule(spec: VirtualRuleSpec): Promise<void> {
    await this.change('add', `rule ${ruleText(spec)}`);
  }

  async removeRule(spec: VirtualRuleSpec): Promise<void> {
    await this.change('remove', `rule ${ruleText(spec)}`);
  }

  private async change(change: 'add' | 'remove', text: string): Promise<void> {
    await Promise.resolve();
    this.calls.push(`${change} ${text}`);
    this.observe?.(`${change} ${text}`);
    const failure = this.failures.get(text);
    if (failure) {
      this.failures.delete(text);
      throw new Error(failure);
    }
    if (change === 'add') this.present.add(text);
    else this.present.delete(text);
  }
}

export class FakeAnnouncer implements AnnouncePort {
  readonly rounds: Array<{ addresses: readonly string[]; count: number }> = [];
  constructor(private readonly observe?: (addresses: readonly string[], count: number) => void) {}
  announce(addresses: readonly string[], count: number): void {
    this.rounds.push({ addresses, count });
    this.observe?.(addresses, count);
  }
  /** Addresses whose frames were built without sending (the start-up rehearsal). */
  readonly prepared: Array<readonly string[]> = [];
  prepare(addresses: readonly string[]): void {
    this.prepared.push(addresses);
  }
}

export function capturingLogger(): { log: Logger; records: () => Array<Record<string, unknown>> } {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const log = createLogger({ level: 'debug', destination: sink, readable: false });
  return {
    log,
    records: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
