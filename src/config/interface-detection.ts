// Interfaces named by how to find them rather than by name (Deckhouse's KeepalivedInstance
// `interface.detectionStrategy`): the interface of the default route, or the one holding an
// address inside a network. Loaders record what to detect; a port answers on the host at start
// and on reload, so loaders stay pure and `vrrpd check` can run anywhere.
import type { AddressFamily } from './model.js';
import type { SourceLocation } from './issues.js';

export type InterfaceDetection =
  | { readonly strategy: 'DefaultRoute'; readonly family: AddressFamily }
  | { readonly strategy: 'NetworkAddress'; readonly network: string; readonly prefixLength: number; readonly family: AddressFamily };

/** Asked once per distinct detection; answers with an interface name or undefined (none found). */
export interface InterfaceResolver {
  defaultRouteInterface(family: AddressFamily): Promise<string | undefined>;
  interfaceInNetwork(network: string, prefixLength: number, family: AddressFamily): Promise<string | undefined>;
}

/** One place a configuration asks for detection. */
export interface DetectionRequest {
  readonly detection: InterfaceDetection;
  readonly location: SourceLocation;
}

/** The same detection always gets the same key: `DefaultRoute/ipv4`, `NetworkAddress/192.0.2.0/24`. */
export function detectionKey(detection: InterfaceDetection): string {
  return detection.strategy === 'DefaultRoute' ? `DefaultRoute/${detection.family}` : `NetworkAddress/${detection.network}/${detection.prefixLength}`;
}

export function describeDetection(detection: InterfaceDetection): string {
  return detection.strategy === 'DefaultRoute'
    ? `the interface of the ${detection.family === 'ipv4' ? 'IPv4' : 'IPv6'} default route`
    : `the interface with an address in ${detection.network}/${detection.prefixLength}`;
}

/** What the host answered: a name, or undefined when nothing matched. */
export type DetectedInterfaces = ReadonlyMap<string, string | undefined>;

export async function detectInterfaces(requests: readonly DetectionRequest[], resolver: InterfaceResolver): Promise<Map<string, string | undefined>> {
  const detected = new Map<string, string | undefined>();
  for (const { detection } of requests) {
    const key = detectionKey(detection);
    if (detected.has(key)) continue;
    detected.set(
      key,
      detection.strategy === 'DefaultRoute'
        ? await resolver.defaultRouteInterface(detection.family)
        : await resolver.interfaceInNetwork(detection.network, detection.prefixLength, detection.family),
    );
  }
  return detected;
}
