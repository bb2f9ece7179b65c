// The allowed directions between vrrpd's folders, in one place. `npm run lint:deps` checks them
// (scripts/test runs it before the tests, so CI fails on a new cycle or a wrong-way import).
//
// The layers, lowest first; a folder may import its own layer's folder and the ones below it:
//   core/                  shared pure pieces: clock, timer queue, addresses, logger type
//   vrrp/ (packet, protocol), scripting/, control/, config/
//                          pure cores and leaf services, each knowing only core/
//   tracking/, notify/, sim/, watch/, ipfailover/
//                          built on the cores (trackers and notifications for VRRP, the
//                          simulated LAN, `vrrpd watch`'s table, OpenShift ipfailover)
//   daemon/                the wiring: subsystems, their ports, the operator services
//   linux/                 adapters: implement the ports; may import core, the cores and
//                          daemon's port definitions, never the daemon's other modules
//   cli/                   the composition root: the only place that joins daemon and linux
// Nothing imports cli/. A new capability (bfd/, checkers/, lb/) is a pure core beside vrrp/,
// its adapter under linux/, its keywords under config/, its subsystem under daemon/.
const layer = (folders) => `^src/(${folders.join('|')})/`;
const core = ['core'];
const cores = ['vrrp', 'scripting', 'control', 'config', 'bfd', 'checkers', 'lb'];
const built = ['tracking', 'notify', 'sim', 'watch', 'ipfailover'];
const below = (...groups) => layer(groups.flat().concat(['core'])) + '|^src/version\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes two modules one; break it by moving the shared part down a layer.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'core/ is what every layer may use, so it uses nothing else of vrrpd.',
      from: { path: layer(core) },
      to: { path: '^src/', pathNot: layer(core) },
    },
    {
      name: 'cores-import-only-core-and-themselves',
      severity: 'error',
      comment: 'A pure core (VRRP, BFD, checkers, load balancer) or leaf service knows only core/ and its own folder.',
      from: { path: layer(cores) },
      to: { path: '^src/', pathNot: ['^src/$1/', layer(core), '^src/version\\.ts$'] },
    },
    {
      name: 'built-layer-direction',
      severity: 'error',
      comment: 'tracking, notify, sim, watch and ipfailover build on the cores; nothing above them.',
      from: { path: layer(built) },
      to: { path: '^src/', pathNot: [below(cores), '^src/$1/'] },
    },
    {
      name: 'daemon-not-adapters-or-cli',
      severity: 'error',
      comment: 'The daemon reaches the host through its ports only; tests run it on fakes.',
      from: { path: layer(['daemon']) },
      to: { path: layer(['linux', 'cli']) },
    },
    {
      name: 'adapters-implement-ports-only',
      severity: 'error',
      comment: 'linux/ implements the ports daemon/ defines (ports.ts files); the rest of daemon/ is not its business.',
      from: { path: layer(['linux']) },
      to: { path: layer(['daemon', 'cli']), pathNot: ['^src/daemon/ports[.]ts$', '^src/daemon/[a-z-]+/ports[.]ts$'] },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli/ is the composition root.',
      from: { path: '^src/', pathNot: layer(['cli']) },
      to: { path: layer(['cli']) },
    },
    {
      name: 'no-orphans',
      severity: 'warn',
      comment: 'A module nothing imports is dead code (entry points and declaration files aside).',
      from: { orphan: true, path: '^src/', pathNot: ['^src/cli/main\\.ts$', '\\.d\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
