// Timer precision: how far from its deadline a protocol timer fires, vrrpd's clock (a timerfd,
// src/daemon/real-clock.ts) against Node's setTimeout, which vrrpd used before. The loop is kept
// as a Backup's is: a packet every 20 to 27 ms (UDP on loopback), and on each one a little work
// and a 12.19 ms timer (the Skew_Time of priority 100 at 20 ms adverts) started with both clocks.
// A negative lateness is a timer that fired early. keepalived is not in this one: it is C with
// its own timerfd scheduler, and nothing here would compare it on equal terms.
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { RealClock } from '../src/daemon/real-clock.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, max, median, p99, quantile, table } from './lib/stats.js';

const SKEW_TIME_MS = 12.19;

export async function timersBench(options: BenchOptions): Promise<BenchReport> {
  const packets = options.trials ?? { full: 2000, quick: 400, tiny: 50 }[options.mode];
  const lateness = { 'vrrpd clock (timerfd)': [] as number[], 'Node setTimeout': [] as number[] };
  const clock = new RealClock();
  const receiver = createSocket('udp4');
  const sender = createSocket('udp4');
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  const port = receiver.address().port;
  await new Promise<void>((resolve) => {
    let received = 0;
    receiver.on('message', () => {
      // Decoding and the state machine's work on a received advertisement, roughly.
      const until = performance.now() + 0.05;
      while (performance.now() < until);
      const deadline = performance.now() + SKEW_TIME_MS;
      clock.setTimer(SKEW_TIME_MS, () => lateness['vrrpd clock (timerfd)'].push(clock.now() - deadline));
      setTimeout(() => lateness['Node setTimeout'].push(performance.now() - deadline), SKEW_TIME_MS);
      if (++received === packets) setTimeout(resolve, 50);
    });
    let sent = 0;
    const send = (): void => {
      sender.send('advertisement', port, '127.0.0.1');
      if (++sent < packets) setTimeout(send, 20 + Math.random() * 7);
    };
    send();
  });
  receiver.close();
  sender.close();
  const rows = Object.entries(lateness).map(([name, samples]) => [
    name,
    fmt(Math.min(...samples), 3),
    fmt(median(samples), 3),
    fmt(p99(samples), 3),
    fmt(max(samples), 3),
    `${samples.filter((s) => s < 0).length}/${samples.length}`,
    fmt(quantile(samples, 0.01), 3),
  ]);
  options.log(rows.map((r) => `  ${r.join('  ')}`).join('\n'));
  return {
    name: 'timers',
    title: `Timer precision: a ${SKEW_TIME_MS} ms timer started on each of ${packets} packets 20-27 ms apart; ms after its deadline (negative: early)`,
    text: table(['clock', 'min', 'median', 'p99', 'max', 'fired early', 'p1'], rows),
    data: lateness,
  };
}
