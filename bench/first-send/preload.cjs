// `node -r bench/first-send/preload.cjs bin/vrrpd run ...`: at the daemon's first VRRP send (the
// native shim's Vrrp4Socket/Vrrp6Socket send), writes "first-send <main-thread CPU ms> <ms since
// the process started>" to the file named by VRRPD_FIRST_SEND_OUT and exits (its VIP stays: run.sh
// removes it). Main-thread CPU is /proc/thread-self/schedstat's time on CPU: steadier than wall
// time on a shared machine, and without the worker threads' or the kernel's /proc ticks of 10 ms.
'use strict';
const fs = require('node:fs');
const out = process.env.VRRPD_FIRST_SEND_OUT;
// VRRPD_FIRST_SEND_UNTIL=garp: on to the first gratuitous ARP (the shim's sendFrame), written as a
// second pair "garp <CPU ms> <ms>" after the first send's.
const untilGarp = process.env.VRRPD_FIRST_SEND_UNTIL === 'garp';
let firstSend;
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  const result = dlopen.call(this, module, filename, ...rest);
  if (/vrrpd_shims\.node$/.test(filename)) {
    const sendFrame = module.exports.sendFrame;
    if (untilGarp && typeof sendFrame === 'function') {
      module.exports.sendFrame = (...args) => {
        const sent = sendFrame(...args);
        const cpuMs = Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
        const wallMs = process.uptime() * 1000;
        fs.writeFileSync(out, `${firstSend ?? 'first-send NaN NaN'} garp ${cpuMs.toFixed(2)} ${wallMs.toFixed(2)}\n`);
        process.exit(0);
        return sent;
      };
    }
    // The addon's methods are read-only and not configurable: a subclass sends instead.
    for (const name of ['Vrrp4Socket', 'Vrrp6Socket']) {
      const Native = module.exports[name];
      if (typeof Native !== 'function') continue;
      module.exports[name] = class extends Native {
        send(...args) {
          const sent = super.send(...args);
          const cpuMs = Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
          const wallMs = process.uptime() * 1000; // not performance.now(): that would load perf_hooks in the run measured
          // Node's modules loaded by then (`diff` against `node -e` printing process.moduleLoadList).
          if (process.env.VRRPD_FIRST_SEND_MODULES) fs.writeFileSync(process.env.VRRPD_FIRST_SEND_MODULES, process.moduleLoadList.join('\n') + '\n');
          if (firstSend) return sent;
          firstSend = `first-send ${cpuMs.toFixed(2)} ${wallMs.toFixed(2)}`;
          if (untilGarp) return sent;
          fs.writeFileSync(out, `${firstSend}\n`);
          // process.exit (not reallyExit): node --cpu-prof writes its profile on the way out.
          process.exit(0);
          return sent;
        }
      };
    }
  }
  return result;
};
