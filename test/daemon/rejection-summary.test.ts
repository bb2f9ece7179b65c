import { expect, test } from 'vitest';
import { RejectionSummary, type RejectionReport } from '../../src/daemon/vrrp/rejection-summary.js';

test('the first rejection of a kind is reported at once, repeats are summed per interval', () => {
  const reports: RejectionReport[] = [];
  const summary = new RejectionSummary((report) => reports.push(report));
  summary.record('VI_1', 'auth-failure', 'wrong password from 192.0.2.66');
  for (let i = 0; i < 9999; i++) summary.record('VI_1', 'auth-failure', 'wrong password from 192.0.2.66');
  summary.record('VI_1', 'ttl', 'TTL 64 from 192.0.2.7, must be 255');
  expect(reports).toEqual([
    { scope: 'VI_1', reason: 'auth-failure', detail: 'wrong password from 192.0.2.66', count: 1 },
    { scope: 'VI_1', reason: 'ttl', detail: 'TTL 64 from 192.0.2.7, must be 255', count: 1 },
  ]);
  summary.flush();
  expect(reports.slice(2)).toEqual([{ scope: 'VI_1', reason: 'auth-failure', detail: 'wrong password from 192.0.2.66', count: 9999 }]);
});

test('a kind that went quiet for a whole interval is reported at once when it returns', () => {
  const reports: RejectionReport[] = [];
  const summary = new RejectionSummary((report) => reports.push(report));
  summary.record('VI_1', 'checksum', 'a');
  summary.flush(); // nothing recurred: forgotten
  summary.flush();
  summary.record('VI_1', 'checksum', 'b');
  expect(reports.map((report) => report.detail)).toEqual(['a', 'b']);
});
