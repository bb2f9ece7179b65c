// `authentication { auth_type PASS; auth_pass SECRET }` inside a vrrp_instance: VRRPv2's simple
// password (RFC 3768 §5.3.6); AH is obsolete (RFC 5798 removed authentication) and not implemented.
import type { VrrpInstanceConfig } from '../model.js';
import { declare } from './define.js';
import { word } from './kinds.js';
import type { NestedBlock } from './registry.js';

type Authentication = NonNullable<VrrpInstanceConfig['authentication']>;

/** What the block says, before it is checked. */
interface Draft {
  readonly type?: string;
  readonly password?: string;
}

const { keyword, key } = declare<Draft, undefined>();

export const AUTHENTICATION: NestedBlock<Draft, Authentication> = {
  keywords: [
    keyword('auth_type', word('PASS', ['PASS']), key('type'), { write: 'always' }),
    keyword('auth_pass', word('a password', ['secret12']), key('password'), { write: 'always' }),
  ],
  finish: (draft, statement, at) => {
    if (draft.type === 'AH') {
      at.ctx.warning(statement.keyword, at.path, 'auth_type AH is obsolete (RFC 5798) and not implemented; no authentication is used');
      return undefined;
    }
    if (draft.type !== undefined && draft.type !== 'PASS') {
      at.ctx.error(statement.keyword, `${at.path}.type`, `auth_type "${draft.type}" is not valid: expected PASS`);
      return undefined;
    }
    if (draft.password === undefined) {
      at.ctx.error(statement.keyword, `${at.path}.password`, 'authentication needs auth_pass');
      return undefined;
    }
    return { type: 'PASS', password: draft.password };
  },
  draft: (value) => value,
};
