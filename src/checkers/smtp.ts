// SMTP_CHECK's conversation (keepalived's check_smtp.c; RFC 5321): the greeting must be 220,
// `HELO name` must be answered 250, and `QUIT` answered at all; then the check passes. keepalived
// reads only the first line of each reply, so a multi-line reply ("220-" lines before "220 ",
// which RFC 5321 §4.2.1 allows) fails its check; here a reply is read whole and its code is its
// last line's. Pure: bytes in, what to send or the verdict out (attempt.ts drives the stream).
import { serverLine } from './failure.js';

/** More than this without a complete reply is no SMTP server (keepalived's line buffer is 512 bytes). */
export const SMTP_REPLY_LIMIT = 4096;

export type SmtpStep =
  | { readonly kind: 'send'; readonly bytes: Uint8Array }
  | { readonly kind: 'passed'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string };

type Phase = 'greeting' | 'helo' | 'quit';

/** What each phase's reply must be, and what follows it. */
const EXPECTED: Record<Phase, { readonly code?: number; readonly what: string }> = {
  greeting: { code: 220, what: 'greeting' },
  helo: { code: 250, what: 'HELO reply' },
  // keepalived: any line back to QUIT passes (221 is what servers say).
  quit: { what: 'QUIT reply' },
};

export class SmtpConversation {
  private phase: Phase = 'greeting';
  /** The reply being read (complete lines are consumed as they come). */
  private pending = '';
  private readonly codes: number[] = [];
  /** Bytes received so far, for a timeout's or a close's description. */
  received = 0;

  constructor(private readonly heloName: string) {}

  /** Feeds what the server sent; returns the next step once a reply is complete. */
  push(chunk: Uint8Array): SmtpStep | undefined {
    this.received += chunk.length;
    this.pending += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    for (let newline = this.pending.indexOf('\n'); newline >= 0; newline = this.pending.indexOf('\n')) {
      const line = this.pending.slice(0, newline).replace(/\r$/, '');
      this.pending = this.pending.slice(newline + 1);
      const reply = /^([2-5]\d\d)([ -]|$)/.exec(line);
      if (!reply) return { kind: 'failed', detail: `not an SMTP reply: ${serverLine(line)}` };
      // "NNN-text": more lines of the same reply follow (RFC 5321 §4.2.1).
      if (reply[2] === '-') continue;
      return this.replied(Number(reply[1]));
    }
    if (this.pending.length > SMTP_REPLY_LIMIT) return { kind: 'failed', detail: `no complete SMTP reply in ${this.received} bytes` };
    return undefined;
  }

  private replied(code: number): SmtpStep {
    const expected = EXPECTED[this.phase];
    if (expected.code !== undefined && code !== expected.code) return { kind: 'failed', detail: `SMTP ${expected.what} ${code} (expected ${expected.code})` };
    this.codes.push(code);
    // Anything the server sent past this reply answers nothing we asked: dropped, as keepalived does.
    this.pending = '';
    switch (this.phase) {
      case 'greeting':
        this.phase = 'helo';
        return { kind: 'send', bytes: Buffer.from(`HELO ${this.heloName}\r\n`, 'latin1') };
      case 'helo':
        this.phase = 'quit';
        return { kind: 'send', bytes: Buffer.from('QUIT\r\n', 'latin1') };
      case 'quit':
        return { kind: 'passed', detail: `SMTP greeting ${this.codes[0]}, HELO ${this.codes[1]}, QUIT ${code}` };
    }
  }
}
