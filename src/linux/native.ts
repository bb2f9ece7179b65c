// The native shim (native-shims/), built by `npm ci` / `npm install` through node-gyp.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface NativeShims {
  /** Sends a complete Ethernet frame on the interface (AF_PACKET); returns the bytes sent. */
  sendFrame(interfaceIndex: number, frame: Buffer): number;
}

let shims: NativeShims | undefined;

export function nativeShims(): NativeShims {
  if (!shims) {
    const path = join(import.meta.dirname, '..', '..', 'native-shims', 'build', 'Release', 'vrrpd_shims.node');
    try {
      shims = createRequire(import.meta.url)(path) as NativeShims;
    } catch (error) {
      throw new Error(`the native shim is not built (${path}): run npm ci or npm run build:native (${(error as Error).message})`);
    }
  }
  return shims;
}
