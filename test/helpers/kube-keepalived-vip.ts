// kube-keepalived-vip's keepalived.conf (rootfs/keepalived.tmpl of github.com/aledbf/kube-keepalived-vip)
// as its template renders it for one Service, default/echoheaders on the VIP's port 80, with three
// endpoints on port 8080, in documentation addresses; multicast, no proxy mode. Nothing in it is
// changed for vrrpd: the configuration and namespace tests run it as it is.
/** One endpoint's real_server block, as the template writes it. */
const endpoint = (address: string): string => `  real_server ${address} 8080 {
    weight 1
    TCP_CHECK {
      connect_port 8080
      connect_timeout 3
    }
  }
`;

/** The configuration for these endpoints (kube-keepalived-vip rewrites it and sends SIGHUP when they change). */
export function kubeKeepalivedVip(endpoints: readonly string[] = ['198.51.100.11', '198.51.100.12', '198.51.100.13']): string {
  return `
global_defs {
  vrrp_version 3
  vrrp_iptables KUBE-KEEPALIVED-VIP
}

vrrp_instance vips {
  state BACKUP
  interface eth0
  virtual_router_id 50
  priority 100
  nopreempt
  advert_int 1

  track_interface {
    eth0
  }

  virtual_ipaddress {
    192.0.2.100
  }
}

# Service: default/echoheaders
virtual_server 192.0.2.100 80 {
  delay_loop 5
  lvs_sched wlc
  lvs_method NAT
  persistence_timeout 1800
  protocol TCP

${endpoints.map(endpoint).join('')}}
`;
}

export const KUBE_KEEPALIVED_VIP = kubeKeepalivedVip();
