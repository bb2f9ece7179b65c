{
  "targets": [
    {
      "target_name": "vrrpd_shims",
      "sources": ["module.cc", "packet_socket.cc", "vrrp4_socket.cc", "vrrp6_socket.cc", "unix_datagram.cc", "signal_pipe.cc", "signal_resignation.cc", "monotonic_timer.cc", "bfd_socket.cc", "bfd_pacer.cc", "thread_priority.cc", "malloc_trim.cc", "memory_pressure.cc", "netlink_watch.cc", "netlink_request.cc", "directory_watch.cc", "v8_flags.cc", "tls_stream.cc", "bundle_source.cc", "script_spawn.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "ldflags": ["-Wl,-z,nodelete"]
    }
  ]
}
