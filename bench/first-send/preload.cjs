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
// VRRPD_FIRST_SEND_CACHE=FILE: the daemon bundle's code cache as compiled by the first send (what
// the cache would hold if made by this start), written in code-cache.ts's format for that bundle.
// With no cache beside the bundle it is exactly what the start compiled.
const cacheOut = process.env.VRRPD_FIRST_SEND_CACHE;
let daemonScript;
// With VRRPD_FIRST_SEND_MODULES too: the list marks where the daemon bundle was compiled.
let modulesAtScript;
// VRRPD_FIRST_SEND_PHASES=1: the out line also gets "script <CPU ms of new vm.Script> at <CPU ms when it returned>".
const threadCpuMs = () => Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
let scriptPhase = '';
if (cacheOut || process.env.VRRPD_FIRST_SEND_MODULES || process.env.VRRPD_FIRST_SEND_PHASES) {
  const vm = require('node:vm');
  const Script = vm.Script;
  vm.Script = class extends Script {
    constructor(source, options) {
      const before = threadCpuMs();
      super(source, options);
      const after = threadCpuMs();
      if (/daemon\.cjs$/.test(options?.filename ?? '')) scriptPhase = ` script ${(after - before).toFixed(2)} at ${after.toFixed(2)}`;
      if (/daemon\.cjs$/.test(options?.filename ?? '')) modulesAtScript = process.moduleLoadList.length;
      if (/daemon\.cjs$/.test(options?.filename ?? '')) daemonScript = { script: this, id: /vrrpd-bundle ([0-9a-f]+)/.exec(source)?.[1] };
    }
  };
}
function writeCache() {
  if (!cacheOut || !daemonScript) return;
  // V8 stamps a cache with the flags in force when it is made and rejects it under others: the
  // daemon's run-time heap flags (src/cli/heap-growth.ts) back at V8's defaults, as at the next
  // start's compile.
  require('node:v8').setFlagsFromString('--semi-space-growth-factor=2');
  require('node:v8').setFlagsFromString('--heap-growing-percent=0');
  fs.writeFileSync(cacheOut, Buffer.concat([Buffer.from(`vrrpd-code-cache ${daemonScript.id}\n`), daemonScript.script.createCachedData()]));
}
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
          if (process.env.VRRPD_FIRST_SEND_MODULES) fs.writeFileSync(process.env.VRRPD_FIRST_SEND_MODULES, process.moduleLoadList.map((name, i) => (i === modulesAtScript ? `--- daemon.cjs compiled\n${name}` : name)).join('\n') + '\n');
          if (firstSend) return sent;
          firstSend = `first-send ${cpuMs.toFixed(2)} ${wallMs.toFixed(2)}`;
          writeCache();
          if (untilGarp) return sent;
          fs.writeFileSync(out, `${firstSend}${scriptPhase}\n`);
          // process.exit (not reallyExit): node --cpu-prof writes its profile on the way out.
          process.exit(0);
          return sent;
        }
      };
    }
  }
  return result;
};
