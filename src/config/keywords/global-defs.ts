// `global_defs { ... }`: the VRRP part of keepalived's global settings, defaults for every
// instance among them. Several global_defs blocks read as one. keepalived's other halves' keywords
// (LVS, SMTP, SNMP...) are accepted and ignored; its firewall keywords are warned about.
import type { GlobalDefs } from '../model.js';
import { declare, Derived } from './define.js';
import { GARP_SETTINGS } from './garp.js';
import type { Command } from './kinds.js';
import { command, flag, ignored, integer, seconds, unimplemented, userAndGroup, word } from './kinds.js';
import type { BlockType } from './registry.js';

const { keyword, key, field, inside, accepted } = declare<GlobalDefs, undefined>();

/** global_defs keywords for keepalived's other halves (LVS, SMTP, SNMP, D-Bus...). */
const OTHER_HALVES = [
  'notification_email', 'notification_email_from', 'smtp_server', 'smtp_helo', 'smtp_connect_timeout', 'smtp_alert',
  'smtp_alert_vrrp', 'smtp_alert_checker', 'lvs_id', 'lvs_sync_daemon', 'lvs_flush', 'lvs_flush_onstop', 'lvs_timeouts',
  'lvs_notify_fifo', 'lvs_notify_fifo_script', 'enable_snmp_vrrp', 'enable_snmp_keepalived', 'enable_snmp_checker',
  'enable_snmp_rfc', 'enable_snmp_rfcv2', 'enable_snmp_rfcv3', 'enable_traps', 'snmp_socket', 'enable_dbus',
  'dynamic_interfaces', 'process_names', 'process_name', 'vrrp_process_name', 'checker_process_name', 'bfd_process_name',
  'checker_priority', 'bfd_priority', 'vrrp_priority', 'checker_no_swap', 'bfd_no_swap', 'vrrp_no_swap',
  'checker_rt_priority', 'vrrp_rt_priority', 'vrrp_cpu_affinity', 'checker_cpu_affinity',
  'vrrp_netlink_cmd_rcv_bufs', 'vrrp_netlink_monitor_rcv_bufs', 'vrrp_rx_bufs_policy', 'vrrp_rx_bufs_multiplier',
  'vrrp_skip_check_adv_addr', 'vrrp_garp_extra_if', 'vrrp_min_garp', 'no_email_faults', 'linkbeat_use_polling',
  'instance', 'use_pid_dir', 'script_group',
];

/** keepalived's firewall integration: vrrpd manages no iptables/nftables rules. */
const FIREWALL = ['vrrp_iptables', 'vrrp_ipsets', 'vrrp_nftables', 'nftables_priority'];

/** The multicast groups (RFC 5798 §5.1.1.2, §5.1.2.2), which running instances use directly. */
export const MCAST_GROUP4 = key('mcastGroup4', { default: '224.0.0.18' });
export const MCAST_GROUP6 = key('mcastGroup6', { default: 'ff02::12' });

export const GLOBAL_DEFS: BlockType<GlobalDefs, undefined> = {
  keyword: 'global_defs',
  aliases: [],
  collection: 'global',
  naming: 'merged',
  yaml: { kind: 'single', key: 'global' },
  create: () => ({}) as GlobalDefs,
  fields: [],
  keywords: [
    keyword('router_id', word('a name', ['lb-1']), key('routerId')),
    keyword('vrrp_version', integer<2 | 3>(2, 3), key('vrrpVersion', { default: 2 })),
    keyword('vrrp_mcast_group4', word('an IPv4 multicast address', ['224.0.0.19']), MCAST_GROUP4),
    keyword('vrrp_mcast_group6', word('an IPv6 multicast address', ['ff02::13']), MCAST_GROUP6),
    keyword('vrrp_startup_delay', seconds(3600), key('startupDelayMs', { default: 0 })),
    keyword('vrrp_strict', flag(), key('strict', { default: false }), {
      afterRead: (global, statement, at) => {
        if (global.strict) at.ctx.warning(statement.keyword, at.path, 'vrrp_strict: vrrpd applies its protocol rules (no_accept, no unicast, VRRPv2 auth off) but installs no firewall rules');
      },
    }),
    ...FIREWALL.map((name) =>
      accepted(name, unimplemented((spelled) => `${spelled}: vrrpd installs no firewall rules; ignored (accept VRRP, protocol 112, and filter the VIPs yourself)`), { yaml: false }),
    ),
    keyword('vrrp_check_unicast_src', flag(), key('checkUnicastSource', { default: false })),
    keyword('vrrp_lower_prio_no_advert', flag(), key('lowerPrioNoAdvert', { default: false })),
    keyword('vrrp_higher_prio_send_advert', flag(), key('higherPrioSendAdvert', { default: false })),
    keyword('vrrp_notify_priority_changes', flag(), key('notifyPriorityChanges', { default: false })),
    keyword('enable_script_security', flag(), key('enableScriptSecurity', { default: false })),
    keyword('script_user', userAndGroup, key('scriptUser')),
    keyword('notify_fifo', word('a FIFO path', ['/run/vrrpd/notify.fifo']), key('notifyFifo'), { aliases: ['vrrp_notify_fifo'], yaml: { aliases: ['vrrpNotifyFifo'] } }),
    keyword(
      'notify_fifo_script',
      command,
      field(
        'notifyFifoScript',
        (global): Command | undefined =>
          global.notifyFifoScript === undefined ? undefined : { command: global.notifyFifoScript, ...(global.notifyFifoScriptUser !== undefined ? { user: global.notifyFifoScriptUser } : {}) },
        (global, value) => {
          global.notifyFifoScript = value?.command;
          if (value?.user !== undefined) global.notifyFifoScriptUser = value.user;
        },
        { keys: ['notifyFifoScript', 'notifyFifoScriptUser'] },
      ),
      { aliases: ['vrrp_notify_fifo_script'], yaml: { aliases: ['vrrpNotifyFifoScript'] } },
    ),
    // Without a value keepalived takes the highest realtime priority.
    keyword('max_auto_priority', integer(-1, 99, { bare: 99 }), key('maxAutoPriority', { default: 0 })),
    // keepalived runs its BFD process under SCHED_RR at this priority; vrrpd its BFD pacer thread
    // (native-shims/bfd_pacer.cc), which only sends, reads and keeps time. Taken at start.
    keyword('bfd_rt_priority', integer(1, 99), key('bfdRtPriority')),
    ...GARP_SETTINGS.map((setting) =>
      keyword(
        `vrrp_${setting.keyword}`,
        setting.kind,
        inside('garp', setting.field, {
          default: typeof setting.globalDefault === 'number' ? setting.globalDefault : new Derived((global: GlobalDefs) => global.garp[(setting.globalDefault as { copies: keyof GlobalDefs['garp'] }).copies]),
        }),
      ),
    ),
    ...OTHER_HALVES.map((name) => accepted(name, ignored(), { yaml: false })),
  ],
};
