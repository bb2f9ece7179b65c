// Where `--metrics` (and other listeners) bind: ADDRESS:PORT as operators write it.

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** "192.0.2.1:9650", "[2001:db8::1]:9650", ":9650" (every address) or "9650". */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`"${text}" is not ADDRESS:PORT (e.g. 127.0.0.1:9650, [::1]:9650 or :9650)`);
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '::' : host, port };
}
