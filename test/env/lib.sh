# Shared settings and helpers for the local environment scripts (sourced, not run).
# shellcheck shell=bash

ENV_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${INNERLOOP_CACHE:-$HOME/.cache/innerloop}"
# Everything env:up starts or writes at run time lives under STATE_DIR, so env:down knows what it owns.
STATE_DIR="${INNERLOOP_ENV_STATE:-/var/lib/innerloop-env}"
RUN_DIR="$STATE_DIR/run"     # pidfiles
LOG_DIR="$STATE_DIR/logs"
PKI_DIR="$STATE_DIR/pki"
KUBECONFIG_PATH="$STATE_DIR/kubeconfig"
REGISTRY_HOST=127.0.0.1
REGISTRY_PORT=5000
API_PORT=6443
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/12
KUBE_SVC_IP=10.96.0.1
DNS_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
NODE_NAME=innerloop
BRIDGE=innerloop0
NODE_IP=10.244.0.1   # the pod bridge gateway doubles as the node address (pods reach the API server here)
DOCKER_SOCK=/var/run/docker.sock   # the default socket, so docker CLI and dockerode need no settings
DOCKER_EXEC_ROOT=/run/innerloop-docker
CONTAINERD_STATE=/run/innerloop-containerd
CONTAINERD_SOCK=$CONTAINERD_STATE/containerd.sock
# Pods (kubelet cgroupRoot) and Docker containers live under this cgroup, so leftovers of a
# killed earlier run can be found precisely, and nothing else on the machine is touched.
CGROUP_ROOT=/innerloop
K8S_VERSION="$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$ENV_DIR/go.mod")"
IMAGE_BUSYBOX=localhost:5000/innerloop/busybox:latest
IMAGE_PYTHON=localhost:5000/innerloop/debian-python:bookworm
IMAGE_NODE=localhost:5000/innerloop/debian-node:bookworm
IMAGE_PAUSE=localhost:5000/innerloop/pause:3.10
IMAGE_COREDNS=localhost:5000/innerloop/coredns:latest
IMAGE_GO=localhost:5000/innerloop/debian-go:bookworm
IMAGE_PYTHON_DEBUGPY=localhost:5000/innerloop/debian-python-debugpy:bookworm

log() { printf '[env] %s\n' "$*" >&2; }
die() { printf '[env] ERROR: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (starts dockerd, containerd and kubelet)"; }

# Where the compiled Kubernetes components live: one directory per k8s + Go version.
k8s_bin_dir() { echo "$CACHE_DIR/bin/k8s-$K8S_VERSION-$(go env GOVERSION)"; }

pidfile() { echo "$RUN_DIR/$1.pid"; }

# Prints the pid recorded for a component if that process is still alive and is the same program.
owned_pid() {
  local name=$1 pf pid
  pf="$(pidfile "$name")"
  [ -f "$pf" ] || return 1
  pid="$(cat "$pf")"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # Guard against pid reuse: the recorded command line must still match.
  if [ -f "$pf.cmd" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -F -- "$(cat "$pf.cmd")" >/dev/null; then
    return 1
  fi
  echo "$pid"
}

# start NAME CMD... : runs CMD in the background under nohup, records its pid, logs to LOG_DIR/NAME.log.
start_bg() {
  local name=$1; shift
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  nohup setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
  echo "$1" >"$(pidfile "$name").cmd"
  log "started $name (pid $!), log: $LOG_DIR/$name.log"
}

# stop_owned NAME [SECONDS] : stops a component we started (by pidfile only), TERM then KILL.
stop_owned() {
  local name=$1 secs=${2:-10} pid i
  if pid="$(owned_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 $((secs * 5))); do [ -d "/proc/$pid" ] || break; sleep 0.2; done
    if [ -d "/proc/$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; log "killed $name (pid $pid)"; else log "stopped $name (pid $pid)"; fi
  fi
  rm -f "$(pidfile "$name")" "$(pidfile "$name").cmd"
}

# wait_for DESCRIPTION SECONDS CMD... : polls CMD until it succeeds.
wait_for() {
  local what=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 1
  done
  log "$what is ready"
}

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep . >/dev/null; }

# Programs from Debian packages live in sbin directories; make sure they are found.
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

# Every component env:up runs, in start order (env:down stops them in reverse).
COMPONENTS=(containerd dockerd registry etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

kubectl_env() { "$(k8s_bin_dir)/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# Creates CGROUP_ROOT in every cgroup v1 hierarchy (the kubelet requires it to exist).
ensure_cgroup_root() {
  local h
  for h in /sys/fs/cgroup/*/; do
    [ -f "$h/cgroup.procs" ] && [ ! -f "$h/cgroup.controllers" ] || continue   # v1 hierarchies only
    mkdir -p "$h${CGROUP_ROOT#/}"
    if [ -f "$h/cpuset.cpus" ]; then   # a new cpuset group starts empty; inherit the parent's
      [ -s "$h${CGROUP_ROOT#/}/cpuset.cpus" ] || cat "$h/cpuset.cpus" >"$h${CGROUP_ROOT#/}/cpuset.cpus"
      [ -s "$h${CGROUP_ROOT#/}/cpuset.mems" ] || cat "$h/cpuset.mems" >"$h${CGROUP_ROOT#/}/cpuset.mems"
    fi
  done
}

# Pids of processes left in our cgroup tree (containers of a run whose kubelet/shims were killed).
cgroup_leftover_pids() {
  local d=/sys/fs/cgroup/pids${CGROUP_ROOT}
  [ -d "$d" ] || return 0
  find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u
}

# Kills leftover container processes in our cgroup tree and removes the empty groups.
cleanup_cgroup_root() {
  local pids h
  pids="$(cgroup_leftover_pids)"
  if [ -n "$pids" ]; then
    log "killing $(echo "$pids" | wc -l) leftover container process(es) in cgroup $CGROUP_ROOT"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 1
  fi
  for h in /sys/fs/cgroup/*/; do
    [ -d "$h${CGROUP_ROOT#/}" ] || continue
    find "$h${CGROUP_ROOT#/}" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}
