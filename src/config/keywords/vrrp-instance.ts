// `vrrp_instance NAME { ... }`: one virtual router. Each field says what a reload does when it
// changes (registry.ts, ReloadEffect); the type asks for it, so a new field cannot be left out of
// reload planning.
import { withFamily } from '../keepalived/routes.js';
import { defaultVmacName, type GlobalDefs, type VirtualAddressConfig, type VrrpInstanceConfig } from '../model.js';
import { AUTHENTICATION } from './authentication.js';
import { declare, Derived, Inherited } from './define.js';
import { addresses, trackedInterfaces, trackerRefs, unicastPeers, virtualRoutes, virtualRules } from './entries.js';
import { GARP_SETTINGS } from './garp.js';
import { MCAST_GROUP4, MCAST_GROUP6 } from './global-defs.js';
import { address, command, flag, ignored, integer, mapped, nested, oneOf, optionalCommand, optionalWord, present, seconds, unimplemented, word } from './kinds.js';
import { NOTIFY_KEYWORDS, notifyCommand, notifyDeleted, withNotifyCommand, withNotifyDeleted } from './notify.js';
import type { BlockType, ReloadableField } from './registry.js';

type Instance = VrrpInstanceConfig;
const { keyword, key, field, inside, accepted } = declare<Instance, GlobalDefs>();

const unicast = (instance: Instance): boolean => instance.unicastPeers.length > 0;
/** What the router installs of an address; -nodad matters only when it is next added. */
const installed = (list: readonly VirtualAddressConfig[]): unknown => list.map(({ noDad: _, ...rest }) => rest);

const preempt = key('preempt', { default: true, reload: 'in-place' });
// keepalived: accept unless vrrp_strict. vrrpd answers for the VIPs as the host does, so nothing
// running depends on it; validation checks it against vrrp_strict.
const acceptMode = key('acceptMode', { default: new Inherited((global: GlobalDefs) => !global.strict), reload: 'unused' });

const VIP_EXAMPLES = [[{ address: '192.0.2.100', prefixLength: 24, family: 'ipv4' as const, device: 'eth0', label: 'eth0:vip', noTrack: true }]];

export const VRRP_INSTANCE: BlockType<Instance, GlobalDefs, ReloadableField<Instance, GlobalDefs>> = {
  keyword: 'vrrp_instance',
  aliases: [],
  collection: 'instances',
  naming: 'named',
  yaml: {
    kind: 'list',
    key: 'vrrpInstances',
    nameKey: 'name',
    // Deckhouse names its instances after their VRID.
    name: (text, index) => {
      const id = text('virtualRouterId', 'id');
      return text('name') ?? (id !== undefined ? `instance_${id}` : `vrrpInstances[${index}]`);
    },
    inManifest: true,
  },
  create: (name) => ({ name, interface: '', virtualRouterId: 0, family: 'ipv4', notify: {} }) as Instance,
  uses: [
    // The group a multicast instance joins is its socket's: another one is a new socket.
    { field: MCAST_GROUP4, concerns: (instance) => instance.family === 'ipv4' && !unicast(instance), effect: 'restart' },
    { field: MCAST_GROUP6, concerns: (instance) => instance.family === 'ipv6' && !unicast(instance), effect: 'restart' },
  ],
  fields: [
    // Instances are matched by VRID, family, interface, unicast source and mode, not by name.
    key('name', { reload: 'in-place', name: 'name' }),
    key('family', { reload: 'restart', name: 'family' }),
    // RFC 5798 §8.4 interoperation listens on another socket; vrrpd has no keyword for it yet.
    key('v2Interop', { default: false, reload: 'restart', name: 'v2Interop' }),
  ],
  keywords: [
    // Only a hint: with priority < 255 it disables nopreempt and preempt_delay (see vrrp/protocol/config.ts).
    keyword('state', oneOf(['MASTER', 'BACKUP'] as const, 'MASTER or BACKUP', { upper: true }), key('initialState', { default: 'BACKUP', reload: 'in-place' })),
    keyword(
      'interface',
      word('an interface name', ['eth1']),
      // Part of what identifies the router (another one is a new router); with use_vmac the router
      // runs on the VMAC, whose parent is taken when the VMAC is made.
      key('interface', { reload: { effect: 'restart', seen: (name, instance) => (instance.useVmac ? undefined : name) } }),
      { write: 'always', yaml: { form: { kind: 'interface' } } },
    ),
    keyword('virtual_router_id', integer(1, 255), key('virtualRouterId', { reload: 'restart' }), { write: 'always', yaml: { aliases: ['id'] } }),
    // The address owner (255) follows other rules (RFC 5798 §6.4.1): crossing it restarts.
    keyword('priority', integer(1, 255, { examples: [150, 255] }), key('priority', { default: 100, reload: { effect: (before, after) => ((before === 255) !== (after === 255) ? 'restart' : 'in-place') } })),
    keyword('advert_int', seconds(255), key('advertIntervalMs', { default: 1000, reload: 'in-place' })),
    // IPv6 instances always run VRRPv3; IPv4 ones follow global_defs unless they say otherwise. A
    // new version is taken in place, as keepalived 2.2.7 does: a v2 to v3 migration moves no VIP.
    keyword(
      'version',
      integer<2 | 3>(2, 3),
      key('version', { default: new Derived((instance: Instance, global: GlobalDefs) => (instance.family === 'ipv6' ? 3 : global.vrrpVersion)), reload: 'in-place' }),
    ),
    keyword('nopreempt', present(false), preempt, { aliases: ['no_preempt'] }),
    keyword('preempt', present(true, { kind: 'choice', whenTrue: 'preempt', whenFalse: 'nopreempt' }), preempt),
    keyword('preempt_delay', seconds(1000), key('preemptDelayMs', { default: 0, reload: 'in-place' })),
    keyword('accept', present(true), acceptMode),
    keyword('no_accept', present(false), acceptMode),
    // The source of adverts identifies the router: unicast_src_ip for unicast, mcast_src_ip for multicast.
    keyword('unicast_src_ip', address(['192.0.2.1']), key('unicastSourceIp', { reload: { effect: 'restart', seen: (ip, instance) => (unicast(instance) ? ip : undefined) } })),
    keyword('mcast_src_ip', address(['192.0.2.1']), key('multicastSourceIp', { reload: { effect: 'restart', seen: (ip, instance) => (unicast(instance) ? undefined : ip) } })),
    // The peers' TTL limits are not applied (yet): only their addresses reach the router.
    keyword(
      'unicast_peer',
      unicastPeers,
      key('unicastPeers', { default: [], reload: { effect: 'in-place', seen: (peers) => peers.map((peer) => peer.address) } }),
      { yaml: { aliases: ['unicastPeers'] } },
    ),
    // RFC 5798 removed authentication; keepalived ignores it for v3 (validation warns).
    keyword(
      'authentication',
      nested(AUTHENTICATION, [{ type: 'PASS', password: 'secret12' }]),
      key('authentication', { reload: { effect: 'in-place', seen: (auth, instance) => (instance.version === 2 ? auth?.password : undefined) } }),
    ),
    keyword(
      'virtual_ipaddress',
      addresses({ locate: true, decidesFamily: true, examples: VIP_EXAMPLES }),
      key('virtualAddresses', { default: [], reload: { effect: 'in-place', seen: installed } }),
      { yaml: { aliases: ['virtualIPAddresses'] } },
    ),
    keyword(
      'virtual_ipaddress_excluded',
      addresses({ locate: false, decidesFamily: false, examples: [[{ address: '2001:db8::10', prefixLength: 64, family: 'ipv6', noDad: true }]] }),
      key('excludedAddresses', { default: [], reload: { effect: 'in-place', seen: installed } }),
      { yaml: { aliases: ['virtualIPAddressesExcluded'] } },
    ),
    // Installed and removed in place by a Master; no block and an empty one are the same.
    keyword('virtual_routes', virtualRoutes, key('virtualRoutes', { reload: { effect: 'in-place', seen: (routes) => routes ?? [] } })),
    keyword('virtual_rules', virtualRules, key('virtualRules', { reload: { effect: 'in-place', seen: (rules) => rules ?? [] } })),
    // Tracking and notify scripts are built afresh at every reload (taking over trackers that did not change).
    keyword('track_interface', trackedInterfaces, key('trackInterfaces', { default: [], reload: 'rebuilt' }), { yaml: { aliases: ['trackInterfaces'] } }),
    keyword('track_script', trackerRefs(253, [[{ name: 'chk_api', weight: 30, reverse: false }, { name: 'chk_db' }]]), key('trackScripts', { default: [], reload: 'rebuilt' }), { yaml: { aliases: ['trackScripts'] } }),
    keyword('track_file', trackerRefs(254, [[{ name: 'maintenance', weight: -50, reverse: true }]]), key('trackFiles', { default: [], reload: 'rebuilt' }), { yaml: { aliases: ['trackFiles'] } }),
    keyword('track_process', trackerRefs(254, [[{ name: 'haproxy' }]]), key('trackProcesses', { default: [], reload: 'rebuilt' }), { yaml: { aliases: ['trackProcesses'] } }),
    keyword('track_bfd', trackerRefs(253, [[{ name: 'upstream', weight: -50, reverse: false }]]), key('trackBfd', { default: [], reload: 'rebuilt' }), { yaml: { aliases: ['trackBfd'] } }),
    // Read from the running router's binding at the next link event.
    keyword('dont_track_primary', present(true), key('dontTrackPrimary', { default: false, reload: 'rebuilt' })),
    ...GARP_SETTINGS.map((setting) =>
      keyword(setting.keyword, setting.kind, inside('garp', setting.field, { default: new Inherited((global: GlobalDefs) => global.garp[setting.field]), reload: setting.reload })),
    ),
    keyword('lower_prio_no_advert', flag('explicit'), key('lowerPrioNoAdvert', { default: new Inherited((global: GlobalDefs) => global.lowerPrioNoAdvert), reload: 'in-place' })),
    keyword('higher_prio_send_advert', flag('explicit'), key('higherPrioSendAdvert', { default: new Inherited((global: GlobalDefs) => global.higherPrioSendAdvert), reload: 'in-place' })),
    // The VMAC identifies the router (it runs on it): another one is a new router.
    keyword(
      'use_vmac',
      optionalWord,
      key('useVmac', { reload: { effect: 'restart', seen: (vmac, instance) => (vmac ? (vmac.name ?? defaultVmacName(instance.virtualRouterId)) : undefined) } }),
    ),
    keyword('v3_checksum_as_v2', present(false), key('v3ChecksumWithPseudoHeader', { default: true, reload: 'in-place' })),
    ...NOTIFY_KEYWORDS.map(({ keyword: name, script }) =>
      keyword(name, command, field('notify', (instance) => notifyCommand(instance.notify, script), (instance, value) => void (instance.notify = withNotifyCommand(instance.notify, script, value!)), { reload: 'rebuilt' })),
    ),
    keyword(
      'notify_deleted',
      optionalCommand,
      field('notify', (instance) => notifyDeleted(instance.notify), (instance, value) => void (instance.notify = withNotifyDeleted(instance.notify, value!)), { reload: 'rebuilt' }),
    ),
    keyword(
      'notify_priority_changes',
      flag('explicit'),
      key('notifyPriorityChanges', { default: new Inherited((global: GlobalDefs) => global.notifyPriorityChanges), reload: 'rebuilt' }),
    ),
    // keepalived accepts it and does nothing with it.
    keyword('debug', integer(0, 4), key('debug', { reload: 'unused' })),
    accepted('smtp_alert', unimplemented(() => 'smtp_alert: SMTP is not part of vrrpd; use notify scripts; ignored'), { yaml: false }),
    // Per-instance vrrp_strict; of its rules, only no_accept changes what vrrpd does.
    keyword('strict_mode', mapped(flag(), (strict) => (strict ? false : undefined), () => true), acceptMode, { write: 'never' }),
    accepted('native_ipv6', ignored()),
    accepted('check_unicast_src', ignored()),
  ],
  finish: (instance, { at, statement }) => {
    // keepalived: the family is the first VIP's; IPv6 instances always run VRRPv3.
    instance.family = instance.virtualAddresses[0]?.family ?? 'ipv4';
    if (instance.family === 'ipv6') instance.version = 3;
    // A `default` route or an address-less rule is of the instance's family unless via/src says otherwise.
    if (instance.virtualRoutes) instance.virtualRoutes = withFamily(instance.virtualRoutes, instance.family);
    if (instance.virtualRules) instance.virtualRules = withFamily(instance.virtualRules, instance.family);
    // Without these the instance cannot run at all: report it here and leave it out of the model,
    // so validation does not add confusing follow-up errors about it.
    let complete = true;
    if (instance.interface === '') {
      at.ctx.error(statement.keyword, `${at.block}.interface`, `vrrp_instance ${instance.name} needs an interface`);
      complete = false;
    }
    if (instance.virtualRouterId === 0) {
      if (!at.ctx.issues.some((issue) => issue.path === `${at.block}.virtualRouterId`)) {
        at.ctx.error(statement.keyword, `${at.block}.virtualRouterId`, `vrrp_instance ${instance.name} needs a virtual_router_id (1..255)`);
      }
      complete = false;
    }
    return complete;
  },
};
