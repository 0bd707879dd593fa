#!/usr/bin/env bash
# Prints the state of every component of the local environment and how to use it.
# Exit code 0 when everything is running and healthy, 1 otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ENV_DIR/control-plane.sh"

ok=1
health() { # NAME CHECK...
  local name=$1 pid; shift
  if pid="$(owned_pid "$name")"; then
    if "$@" >/dev/null 2>&1; then printf '  %-24s running (pid %s), healthy\n' "$name" "$pid"
    else printf '  %-24s running (pid %s), NOT healthy (log: %s)\n' "$name" "$pid" "$LOG_DIR/$name.log"; ok=0; fi
  else printf '  %-24s not running\n' "$name"; ok=0; fi
}
echo "Innerloop local environment (state: $STATE_DIR)"
health containerd ctr --address "$CONTAINERD_SOCK" version
health dockerd curl -sf --unix-socket "$DOCKER_SOCK" http://d/_ping
health registry curl -sf "http://$REGISTRY_HOST:$REGISTRY_PORT/v2/"
health etcd etcd_healthy
health kube-apiserver apiserver_ready
health kube-controller-manager curl -sfk "https://127.0.0.1:$KCM_PORT/healthz"
health kube-scheduler curl -sfk "https://127.0.0.1:$SCHEDULER_PORT/healthz"
health kubelet curl -sf http://127.0.0.1:10248/healthz
health kube-proxy curl -sf http://127.0.0.1:10256/healthz
if [ $ok = 1 ]; then
  node="$(kubectl_env get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)"
  dns="$(kubectl_env -n kube-system get deploy coredns -o jsonpath='{.status.availableReplicas}' 2>/dev/null || true)"
  printf '  %-24s Ready=%s\n' "node $NODE_NAME" "${node:-unknown}"
  printf '  %-24s %s available\n' "coredns" "${dns:-0}"
  [ "$node" = True ] && [ "${dns:-0}" -ge 1 ] || ok=0
fi
cat <<EOF
Kubernetes $K8S_VERSION  kubeconfig: $KUBECONFIG_PATH  context: innerloop  server: https://127.0.0.1:$API_PORT
registry: localhost:$REGISTRY_PORT   docker: unix://$DOCKER_SOCK   kubectl: $STATE_DIR/bin/kubectl
images: $IMAGE_BUSYBOX $IMAGE_PYTHON $IMAGE_NODE
use it: source $STATE_DIR/env.sh   (or KUBECONFIG=$KUBECONFIG_PATH INNERLOOP_ALLOW_K8S_CONTEXTS=innerloop)
EOF
if [ $ok = 1 ]; then echo "status: up"; exit 0; else echo "status: DOWN or degraded (npm run env:up)"; exit 1; fi
