# vrrpd's container image: the release tarball (scripts/release: compiled dist/, every dependency
# bundled with its native module built) installed with `npm install -g` on node:20-slim, and tini
# as PID 1. No compiler, no TypeScript, no dev dependency in the final image. Used by
# deploy/kubernetes/ (hostNetwork, NET_ADMIN + NET_RAW).
#
#   docker build -t vrrpd:0.1.0 .     (BuildKit, Docker's default builder since 23.0)
#   podman build -t vrrpd:0.1.0 .
#
# For machines without a container registry, scripts/image gives
#   --build-arg BASE=IMAGE            a stand-in for node:20-slim (Debian bookworm with Node 20 and
#                                     npm in /usr/local, apt sources on a Debian mirror)
#   --build-context release=DIR       DIR/release/vrrpd-VERSION-linux-x64.tgz, made by
#                                     scripts/release on the host: it replaces the stage `release`,
#                                     which is then not built (BuildKit and buildah alike)
ARG BASE=docker.io/library/node:20-slim

# The release tarball, built here as scripts/release builds it on a host: the build tools exist in
# this stage only.
FROM ${BASE} AS release
ENV DEBIAN_FRONTEND=noninteractive \
    # node-gyp uses the headers shipped in the node image instead of downloading them.
    npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The checkout's dependencies give scripts/release its TypeScript compiler; the release compiles
# everything itself (dist/, raw-socket, vrrpd's shim), so no install script needs to run here.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && scripts/release /release

# The runtime without vrrpd: what changes rarely, a stage of its own so that scripts/image can keep
# it tagged as a cached base while the images built on it come and go.
FROM ${BASE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive
# tini as PID 1: passes SIGTERM on to vrrpd (which hands over with priority 0 and removes its
# VIPs) and reaps any child processes (track scripts, notify scripts). nftables: the nft tool,
# through which the load balancer (virtual_server) writes its table.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini nftables \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

FROM runtime
# Copied rather than mounted (RUN --mount): buildah's layer cache ignores what a mount holds, so a
# new tarball would hit the cached install. It stays in this 1.5 MB layer. --offline: every
# dependency is in the tarball, nothing may come from the registry; nothing compiles (the release
# has no scripts).
COPY --from=release /release/ /tmp/release/
RUN npm install -g --offline --no-audit --no-fund /tmp/release/vrrpd-*-linux-x64.tgz \
 && rm -rf /tmp/release /root/.npm \
 && vrrpd --version
ENTRYPOINT ["/usr/bin/tini", "--", "vrrpd"]
CMD ["run", "-f", "/etc/keepalived/keepalived.conf"]
