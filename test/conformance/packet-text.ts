// One advertisement as text, both ways: the inputs give a peer's advertisement in the words the
// timeline prints a sent one with (`v3 vrid 51 priority 150 interval 1000 addresses 192.0.2.100`),
// so a line of an expected file can be copied into an inputs file as a peer's packet.
import type { AddressFamily } from '../../src/core/address.js';
import { advertisementIntervalMs, AuthType, type Advertisement, type ChecksumFlavour } from '../../src/vrrp/packet/advertisement.js';

export type Fail = (message: string) => never;

/** An advertisement given by its fields, encoded with the real codec. */
export interface AdvertFields {
  readonly version: 2 | 3;
  readonly vrid: number;
  readonly priority: number;
  readonly intervalMs: number;
  readonly addresses: readonly string[];
  /** VRRPv2: `auth pass SECRET` or `auth ah`. */
  readonly auth?: { readonly type: 'pass'; readonly secret: string } | { readonly type: 'ah' };
  readonly checksum?: ChecksumFlavour;
}

/** `v3 vrid 51 priority 200 interval 1000 [auth pass SECRET|auth ah] [checksum message-only] addresses A ...`: as the outputs print sent packets. */
export function parseAdvert(words: readonly string[], fail: Fail): AdvertFields {
  const usage = 'v2|v3 vrid N priority N interval MS [auth pass SECRET|auth ah] [checksum message-only] addresses A ...';
  const version = words[0] === 'v2' ? 2 : words[0] === 'v3' ? 3 : fail(usage);
  const numbers: Record<string, number> = {};
  let auth: AdvertFields['auth'];
  let checksum: ChecksumFlavour | undefined;
  let addresses: string[] | undefined;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === 'addresses') {
      addresses = words.slice(i + 1) as string[];
      break;
    }
    if (word === 'auth') {
      const kind = words[++i];
      if (kind === 'ah') auth = { type: 'ah' };
      else if (kind === 'pass') auth = { type: 'pass', secret: words[++i] ?? fail(usage) };
      else fail(usage);
    } else if (word === 'checksum') {
      const flavour = words[++i];
      if (flavour !== 'message-only' && flavour !== 'pseudo-header') fail(usage);
      checksum = flavour as ChecksumFlavour;
    } else if (word === 'vrid' || word === 'priority' || word === 'interval') {
      const value = Number(words[++i]);
      if (!Number.isInteger(value)) fail(`${word} wants a whole number`);
      numbers[word] = value;
    } else fail(`"${word}"? ${usage}`);
  }
  const { vrid, priority, interval } = numbers;
  if (vrid === undefined || priority === undefined || interval === undefined || addresses === undefined) return fail(usage);
  if (interval % (version === 2 ? 1000 : 10) !== 0) fail(`a VRRPv${version} interval is a whole number of ${version === 2 ? 'seconds' : 'centiseconds'}`);
  return { version, vrid, priority, intervalMs: interval, addresses, ...(auth ? { auth } : {}), ...(checksum ? { checksum } : {}) };
}

/** The fields as the codec takes them. */
export function toAdvertisement(fields: AdvertFields): Advertisement {
  const { vrid, priority, addresses } = fields;
  if (fields.version === 3) return { version: 3, vrid, priority, maxAdvertIntervalCs: fields.intervalMs / 10, addresses };
  const authData = new Uint8Array(8);
  if (fields.auth?.type === 'pass') authData.set(Buffer.from(fields.auth.secret, 'latin1').subarray(0, 8));
  const authType = fields.auth?.type === 'pass' ? AuthType.simplePassword : fields.auth?.type === 'ah' ? AuthType.ipAh : AuthType.none;
  return { version: 2, vrid, priority, advertIntervalSeconds: fields.intervalMs / 1000, authType, authData, addresses };
}

/** A decoded advertisement in the words parseAdvert reads. */
export function printAdvert(advert: Advertisement, checksum: ChecksumFlavour, family: AddressFamily): string {
  const parts = [`v${advert.version} vrid ${advert.vrid} priority ${advert.priority} interval ${advertisementIntervalMs(advert)}`];
  if (advert.version === 2 && advert.authType === AuthType.simplePassword) parts.push(`auth pass ${Buffer.from(advert.authData).toString('latin1').replace(/\0+$/, '')}`);
  else if (advert.version === 2 && advert.authType === AuthType.ipAh) parts.push('auth ah');
  else if (advert.version === 2 && advert.authType !== AuthType.none) parts.push(`auth type ${advert.authType}`);
  if (advert.version === 3 && family === 'ipv4' && checksum !== 'pseudo-header') parts.push(`checksum ${checksum}`);
  parts.push(`addresses ${advert.addresses.join(' ')}`);
  return parts.join(' ');
}
