// kube-keepalived-vip's keepalived.conf (rootfs/keepalived.tmpl of github.com/aledbf/kube-keepalived-vip)
// as its template renders it for one Service, default/echoheaders on the VIP's port 80, with three
// endpoints on port 8080, in documentation addresses; multicast, no proxy mode. Nothing in it is
// changed for vrrpd: the configuration and namespace tests run it as it is.
export const KUBE_KEEPALIVED_VIP = `
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

  real_server 198.51.100.11 8080 {
    weight 1
    TCP_CHECK {
      connect_port 8080
      connect_timeout 3
    }
  }
  real_server 198.51.100.12 8080 {
    weight 1
    TCP_CHECK {
      connect_port 8080
      connect_timeout 3
    }
  }
  real_server 198.51.100.13 8080 {
    weight 1
    TCP_CHECK {
      connect_port 8080
      connect_timeout 3
    }
  }
}
`;
