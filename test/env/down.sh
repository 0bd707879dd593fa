#!/usr/bin/env bash
# Stops everything env:up started (found by pidfile only) and removes the cluster's run-time state:
# pods, etcd data, kubelet and CNI state. Keeps caches: compiled binaries, the registry's images,
# containerd/docker image stores and certificates, so the next env:up is fast.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ENV_DIR/control-plane.sh"
. "$ENV_DIR/firewall.sh"

need_root
CTR=(ctr --address "$CONTAINERD_SOCK" -n k8s.io)
BIN="$(k8s_bin_dir)"

# Let the kubelet tear pods down through CRI and CNI while the control plane is still there.
if owned_pid kube-apiserver >/dev/null && owned_pid kubelet >/dev/null; then
  stop_owned kube-controller-manager; stop_owned kube-scheduler
  log "deleting all pods"
  kubectl_env delete pods --all --all-namespaces --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do
    [ -z "$("${CTR[@]}" tasks ls -q 2>/dev/null)" ] && break
    sleep 1
  done
fi
stop_owned kube-proxy
if [ -x "$BIN/kube-proxy" ]; then "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
stop_owned kubelet
stop_owned kube-scheduler
stop_owned kube-controller-manager
stop_owned kube-apiserver
stop_owned etcd

# Whatever pod containers remain (kubelet gone) are stopped through containerd.
if owned_pid containerd >/dev/null; then
  for id in $("${CTR[@]}" tasks ls -q 2>/dev/null); do
    "${CTR[@]}" tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  sleep 1
  for id in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks delete -f "$id" >/dev/null 2>&1 || true; done
  for id in $("${CTR[@]}" containers ls -q 2>/dev/null); do "${CTR[@]}" containers delete "$id" >/dev/null 2>&1 || true; done
fi

stop_owned registry
stop_owned dockerd 40   # dockerd stops its containers first
stop_owned containerd 20

# Mounts left under our state (volumes, rootfs of killed containers), deepest first.
awk '{print $2}' /proc/mounts | grep -E "^($STATE_DIR|$CONTAINERD_STATE|$DOCKER_EXEC_ROOT)/" | sort -r \
  | while read -r m; do umount -l "$m" 2>/dev/null && log "unmounted $m" || true; done

cleanup_cgroup_root
if [ -f "$STATE_DIR/sysctl.orig" ]; then
  sysctl -q -p "$STATE_DIR/sysctl.orig" >/dev/null 2>&1 && log "restored kernel settings the kubelet changed: $(tr '\n' ' ' <"$STATE_DIR/sysctl.orig")"
  rm -f "$STATE_DIR/sysctl.orig"
fi
rm -rf "$ETCD_DATA_DIR" "$STATE_DIR/kubelet" "$STATE_DIR/cni/ipam" "$CONTAINERD_STATE"
if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; log "removed bridge $BRIDGE"; fi
firewall_down
log "environment is down (caches kept in $CACHE_DIR and $STATE_DIR)"
