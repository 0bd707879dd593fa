#!/usr/bin/env bash
# Brings up the local environment: containerd (CRI), Docker Engine, a registry on 127.0.0.1:5000,
# locally built base images, and a single-node Kubernetes cluster compiled from upstream.
# Idempotent: components already running from an earlier env:up are kept; stale pidfiles and
# half-finished state are cleaned up; processes this script did not start are never touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ENV_DIR/control-plane.sh"
. "$ENV_DIR/firewall.sh"

need_root
T0=$SECONDS
mkdir -p "$STATE_DIR" "$RUN_DIR" "$LOG_DIR" "$PKI_DIR" "$CACHE_DIR"

# ---------------------------------------------------------------- packages
DEBIAN_PACKAGES=(docker.io containerd runc docker-registry containernetworking-plugins busybox-static
  debootstrap iptables openssl conntrack iproute2 curl ca-certificates)
install_packages() {
  local missing=() p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'install ok installed' >/dev/null || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && return
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/apt.log" >&2; die "apt-get install failed (log: $LOG_DIR/apt.log)"; }
  # Debian's packages may try to start daemons; on machines without an init system they cannot.
}
install_packages
command -v go >/dev/null || die "Go toolchain not found; it is needed to compile Kubernetes"

# The Debian rootfs downloads while Kubernetes compiles (one is network-bound, the other CPU-bound).
ROOTFS_PID=""
if ! bash "$ENV_DIR/images.sh" rootfs-cached; then
  log "building the Debian rootfs in the background (log: $LOG_DIR/rootfs.log)"
  bash "$ENV_DIR/images.sh" rootfs >"$LOG_DIR/rootfs.log" 2>&1 &
  ROOTFS_PID=$!
fi
# A cold start needs about 7 GB (Go build cache 3.5 GB, modules 0.9 GB, binaries, rootfs, images).
need_gb=2; [ -x "$(k8s_bin_dir)/kubelet" ] || need_gb=8
free_gb=$(( $(df -Pk "$CACHE_DIR" | awk 'NR==2 {print $4}') / 1024 / 1024 ))
[ "$free_gb" -ge "$need_gb" ] || die "only ${free_gb} GB free under $CACHE_DIR; env:up needs about ${need_gb} GB"
bash "$ENV_DIR/build-k8s.sh"
BIN="$(k8s_bin_dir)"
mkdir -p "$STATE_DIR/bin"
ln -sfn "$BIN/kubectl" "$STATE_DIR/bin/kubectl"
# The product and the smoke test call kubectl; on a fresh machine, provide the one we built.
if ! command -v kubectl >/dev/null; then ln -sfn "$BIN/kubectl" /usr/local/bin/kubectl; log "installed kubectl -> $BIN/kubectl"; fi

# ---------------------------------------------------------------- stale state
for c in "${COMPONENTS[@]}"; do
  if [ -f "$(pidfile "$c")" ] && ! owned_pid "$c" >/dev/null; then
    log "removing stale pidfile of $c (pid $(cat "$(pidfile "$c")") is gone)"
    rm -f "$(pidfile "$c")" "$(pidfile "$c").cmd"
  fi
done

# Container processes left behind by a run whose kubelet and shims were killed (e.g. the machine's
# session ended without env:down) still hold pod IPs and memory; they are ours by cgroup.
if ! owned_pid containerd >/dev/null && [ -n "$(cgroup_leftover_pids)" ]; then cleanup_cgroup_root; fi
ensure_cgroup_root

# check_port NAME PORT: the port must be free, or held by our own running component NAME.
check_port() {
  local name=$1 port=$2
  owned_pid "$name" >/dev/null && return 0
  if port_in_use "$port"; then
    die "port $port (needed by $name) is taken by a process env:up did not start: $(ss -Hltnp "sport = :$port" | awk '{print $NF}' | head -n1). Stop it and retry."
  fi
}
check_port registry $REGISTRY_PORT
check_port etcd $ETCD_CLIENT_PORT; check_port etcd $ETCD_PEER_PORT; check_port etcd $ETCD_METRICS_PORT
check_port kube-apiserver $API_PORT
check_port kube-controller-manager $KCM_PORT
check_port kube-scheduler $SCHEDULER_PORT
check_port kubelet 10250; check_port kubelet 10248
check_port kube-proxy 10256; check_port kube-proxy 10249
if ! owned_pid dockerd >/dev/null && [ -S "$DOCKER_SOCK" ] && curl -sf --unix-socket "$DOCKER_SOCK" http://d/_ping >/dev/null 2>&1; then
  die "a Docker daemon that env:up did not start already serves $DOCKER_SOCK; stop it and retry"
fi
if ! owned_pid dockerd >/dev/null && [ -e "$DOCKER_EXEC_ROOT/dockerd.pid" ]; then
  log "removing leftover dockerd pidfile from an earlier run"; rm -f "$DOCKER_EXEC_ROOT/dockerd.pid"
fi

# ---------------------------------------------------------------- host network
setup_network() {
  firewall_up   # first: it records the FORWARD policy and ip_forward that env:down puts back
  sysctl -qw net.ipv4.ip_forward=1
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null \
    || log "warning: net.bridge.bridge-nf-call-iptables is unavailable (br_netfilter); Service traffic between pods on the bridge may fail"
  sysctl -qw net.bridge.bridge-nf-call-ip6tables=1 2>/dev/null || true
  # The pod bridge exists before the cluster starts because its gateway address is the node address.
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    log "created bridge $BRIDGE"
  fi
  # Never `| grep -q` under pipefail: grep -q exits at the first match, the writer may die of SIGPIPE, and the
  # pipeline then fails (here: the address added twice, "Address already assigned", on an environment already up).
  ip addr show dev "$BRIDGE" | grep " $NODE_IP/" >/dev/null || ip addr add "$NODE_IP/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  mkdir -p "$STATE_DIR/cni/net.d"
  cat >"$STATE_DIR/cni/net.d/10-innerloop.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "innerloop",
  "plugins": [
    { "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$NODE_POD_CIDR", "gateway": "$NODE_IP" }]],
                "routes": [{ "dst": "0.0.0.0/0" }], "dataDir": "$STATE_DIR/cni/ipam" } },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "firewall" }
  ]
}
EOF
}
setup_network

# ---------------------------------------------------------------- containerd
# Pods ask for negative OOM scores (-998 for the sandbox); that needs CAP_SYS_RESOURCE.
if grep -q "^CapBnd:" /proc/self/status && (( (0x$(awk '/^CapBnd:/ {print $2}' /proc/self/status) >> 24) & 1 )); then
  RESTRICT_OOM=false; OOM_ADJ=-999
else
  RESTRICT_OOM=true; OOM_ADJ=0
  log "no CAP_SYS_RESOURCE here: containerd clamps pods' oom_score_adj to >= 0"
fi
start_containerd() {
  owned_pid containerd >/dev/null && { log "containerd already running"; return; }
  mkdir -p "$STATE_DIR/containerd" "$CONTAINERD_STATE"
  local certs="$STATE_DIR/containerd-certs.d" h
  for h in "localhost:$REGISTRY_PORT" "127.0.0.1:$REGISTRY_PORT"; do
    mkdir -p "$certs/$h"
    printf 'server = "http://%s:%s"\n\n[host."http://%s:%s"]\n  capabilities = ["pull", "resolve"]\n' \
      "$REGISTRY_HOST" "$REGISTRY_PORT" "$REGISTRY_HOST" "$REGISTRY_PORT" >"$certs/$h/hosts.toml"
  done
  cat >"$STATE_DIR/containerd.toml" <<EOF
version = 2
root = "$STATE_DIR/containerd"
state = "$CONTAINERD_STATE/state"
disabled_plugins = ["io.containerd.internal.v1.opt"]
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$IMAGE_PAUSE"
  # Without CAP_SYS_RESOURCE (as on this machine) lowering oom_score_adj fails; clamp it instead.
  restrict_oom_score_adj = $RESTRICT_OOM
  # exec/attach/port-forward streams (the kubelet proxies them); containerd's default, pinned.
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$CONTAINERD_STATE/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE_DIR/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$certs"
EOF
  start_bg containerd "$(command -v containerd)" --config "$STATE_DIR/containerd.toml"
  wait_for containerd 60 ctr --address "$CONTAINERD_SOCK" version || die "containerd did not start; see $LOG_DIR/containerd.log"
  ctr --address "$CONTAINERD_SOCK" plugins ls | grep 'io.containerd.grpc.v1.*cri.*ok' >/dev/null \
    || die "containerd's CRI plugin is not running; see $LOG_DIR/containerd.log"
}
start_containerd

# ---------------------------------------------------------------- Docker Engine
start_dockerd() {
  owned_pid dockerd >/dev/null && { log "dockerd already running"; return; }
  mkdir -p "$STATE_DIR/docker" "$DOCKER_EXEC_ROOT"
  # Shares our containerd (namespace "moby"); published ports default to 127.0.0.1.
  start_bg dockerd "$(command -v dockerd)" --host "unix://$DOCKER_SOCK" --containerd "$CONTAINERD_SOCK" \
    --data-root "$STATE_DIR/docker" --exec-root "$DOCKER_EXEC_ROOT" --pidfile "$DOCKER_EXEC_ROOT/dockerd.pid" \
    --ip 127.0.0.1 --storage-driver overlay2 --cgroup-parent "$CGROUP_ROOT/docker"
  wait_for dockerd 60 curl -sf --unix-socket "$DOCKER_SOCK" http://d/_ping || die "dockerd did not start; see $LOG_DIR/dockerd.log"
}
start_dockerd

# ---------------------------------------------------------------- registry
start_registry() {
  owned_pid registry >/dev/null && { log "registry already running"; return; }
  mkdir -p "$CACHE_DIR/registry"
  cat >"$STATE_DIR/registry.yml" <<EOF
version: 0.1
log: { level: info }
storage:
  filesystem: { rootdirectory: $CACHE_DIR/registry }
  delete: { enabled: true }
http:
  addr: $REGISTRY_HOST:$REGISTRY_PORT
EOF
  start_bg registry "$(command -v docker-registry)" serve "$STATE_DIR/registry.yml"
  wait_for "registry on $REGISTRY_HOST:$REGISTRY_PORT" 30 curl -sf "http://$REGISTRY_HOST:$REGISTRY_PORT/v2/" \
    || die "registry did not start; see $LOG_DIR/registry.log"
}
start_registry

if [ -n "$ROOTFS_PID" ]; then
  wait "$ROOTFS_PID" || { cat "$LOG_DIR/rootfs.log" >&2; die "building the Debian rootfs failed"; }
fi
bash "$ENV_DIR/images.sh"

# ---------------------------------------------------------------- certificates
make_pki

API_LOCAL="https://127.0.0.1:$API_PORT"
kubeconfig "$KUBECONFIG_PATH" admin "$API_LOCAL"
for c in controller-manager scheduler kubelet-client kube-proxy; do kubeconfig "$STATE_DIR/$c.kubeconfig" "$c" "$API_LOCAL"; done

# ---------------------------------------------------------------- etcd + control plane
start_etcd() {
  owned_pid etcd >/dev/null && { log "etcd already running"; return; }
  mkdir -p "$ETCD_DATA_DIR"; chmod 700 "$ETCD_DATA_DIR"
  etcd_args
  start_bg etcd "$BIN/etcd" "${ETCD_ARGS[@]}"
  wait_for etcd 60 etcd_healthy || die "etcd did not become healthy; see $LOG_DIR/etcd.log"
}
start_etcd

start_apiserver() {
  owned_pid kube-apiserver >/dev/null && { log "kube-apiserver already running"; return; }
  apiserver_args
  start_bg kube-apiserver "$BIN/kube-apiserver" "${APISERVER_ARGS[@]}"
  wait_for kube-apiserver 120 apiserver_ready || die "kube-apiserver did not become ready; see $LOG_DIR/kube-apiserver.log"
}
start_apiserver

start_controllers() {
  if ! owned_pid kube-controller-manager >/dev/null; then
    controller_manager_args
    start_bg kube-controller-manager "$BIN/kube-controller-manager" "${CONTROLLER_MANAGER_ARGS[@]}"
  else log "kube-controller-manager already running"; fi
  if ! owned_pid kube-scheduler >/dev/null; then
    scheduler_args
    start_bg kube-scheduler "$BIN/kube-scheduler" "${SCHEDULER_ARGS[@]}"
  else log "kube-scheduler already running"; fi
  wait_for kube-controller-manager 60 curl -sfk "https://127.0.0.1:$KCM_PORT/healthz" \
    || die "kube-controller-manager is not healthy; see $LOG_DIR/kube-controller-manager.log"
  wait_for kube-scheduler 60 curl -sfk "https://127.0.0.1:$SCHEDULER_PORT/healthz" \
    || die "kube-scheduler is not healthy; see $LOG_DIR/kube-scheduler.log"
}
start_controllers

# ---------------------------------------------------------------- node
start_kubelet() {
  owned_pid kubelet >/dev/null && { log "kubelet already running"; return; }
  # The kubelet sets these kernel tunables as any kubelet does; env:down puts the originals back.
  local k
  if [ ! -f "$STATE_DIR/sysctl.orig" ]; then
    for k in vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops; do
      echo "$k=$(sysctl -n "$k")"
    done >"$STATE_DIR/sysctl.orig"
  fi
  mkdir -p "$STATE_DIR/kubelet"
  cat >"$STATE_DIR/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI_DIR/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $PKI_DIR/kubelet-serving.crt
tlsPrivateKeyFile: $PKI_DIR/kubelet-serving.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
clusterDNS: [$DNS_IP]
clusterDomain: $CLUSTER_DOMAIN
failSwapOn: false
serializeImagePulls: false
resolvConf: /etc/resolv.conf
# A developer machine's disk and memory are shared with everything else; evict only when nearly full.
evictionHard: { memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2% }
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
EOF
  start_bg kubelet "$BIN/kubelet" --config="$STATE_DIR/kubelet-config.yaml" \
    --kubeconfig="$STATE_DIR/kubelet-client.kubeconfig" --root-dir="$STATE_DIR/kubelet" \
    --node-ip="$NODE_IP" --hostname-override="$NODE_NAME" --oom-score-adj="$OOM_ADJ" --v=1
  wait_for kubelet 90 curl -sf http://127.0.0.1:10248/healthz || die "kubelet is not healthy; see $LOG_DIR/kubelet.log"
}
start_kubelet

start_kube_proxy() {
  owned_pid kube-proxy >/dev/null && { log "kube-proxy already running"; return; }
  cat >"$STATE_DIR/kube-proxy-config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: $STATE_DIR/kube-proxy.kubeconfig }
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
oomScoreAdj: $OOM_ADJ
# Leave the host's conntrack table size alone.
conntrack: { maxPerCore: 0 }
EOF
  start_bg kube-proxy "$BIN/kube-proxy" --config="$STATE_DIR/kube-proxy-config.yaml" --v=1
  wait_for kube-proxy 60 curl -sf http://127.0.0.1:10256/healthz || die "kube-proxy is not healthy; see $LOG_DIR/kube-proxy.log"
}
start_kube_proxy

wait_for "node $NODE_NAME" 120 kubectl_env wait --for=condition=Ready "node/$NODE_NAME" --timeout=5s \
  || die "node $NODE_NAME did not become Ready; see $LOG_DIR/kubelet.log"

# ---------------------------------------------------------------- cluster add-ons
sed -e "s|@DNS_IP@|$DNS_IP|g; s|@IMAGE@|$IMAGE_COREDNS|g; s|@DOMAIN@|$CLUSTER_DOMAIN|g; s|@REGISTRY@|localhost:$REGISTRY_PORT|g" \
  "$ENV_DIR/manifests/addons.yaml" | kubectl_env apply -f - >/dev/null
kubectl_env -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null \
  || die "CoreDNS did not roll out; try: kubectl --kubeconfig $KUBECONFIG_PATH -n kube-system describe pods"
log "cluster DNS ready at $DNS_IP"

cat >"$STATE_DIR/env.sh" <<EOF
export KUBECONFIG=$KUBECONFIG_PATH
export INNERLOOP_ALLOW_K8S_CONTEXTS=innerloop
export DOCKER_HOST=unix://$DOCKER_SOCK
export PATH=$STATE_DIR/bin:\$PATH
EOF
log "environment is up in $((SECONDS - T0))s"
bash "$ENV_DIR/status.sh"
