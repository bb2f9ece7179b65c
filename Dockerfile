# vrrpd's container image: the compiled daemon with its native modules, no TypeScript and no
# compiler in the final image. Used by deploy/kubernetes/ (hostNetwork, NET_ADMIN + NET_RAW).
#   docker build -t vrrpd:0.1.0 .
FROM node:20-slim AS build
ENV DEBIAN_FRONTEND=noninteractive \
    # node-gyp uses the headers shipped in the node image instead of downloading them.
    npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# Compile: every dependency (TypeScript included); `prepare` writes dist/.
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY native-shims/ native-shims/
COPY bin/ bin/
COPY src/ src/
RUN npm ci --no-audit --no-fund

# The runtime tree: production dependencies only. --ignore-scripts because `prepare` (tsc) has
# nothing to do here; the native modules are then built explicitly (rebuild: raw-socket and
# netlink; build:native: vrrpd's own shim, native-shims/).
WORKDIR /opt/vrrpd
RUN cp -r /src/package.json /src/package-lock.json /src/bin /src/dist . \
 && cp -r /src/native-shims . && rm -rf native-shims/build \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild \
 && npm run build:native \
 && node bin/vrrpd --version

FROM node:20-slim
ENV DEBIAN_FRONTEND=noninteractive
# tini as PID 1: passes SIGTERM on to vrrpd (which hands over with priority 0 and removes its
# VIPs) and reaps any child processes. nftables: the nft tool, through which the load balancer
# (virtual_server) writes its table.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini nftables \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/vrrpd /opt/vrrpd
RUN ln -s /opt/vrrpd/bin/vrrpd /usr/local/bin/vrrpd
ENTRYPOINT ["/usr/bin/tini", "--", "vrrpd"]
CMD ["run", "-f", "/etc/keepalived/keepalived.conf"]
