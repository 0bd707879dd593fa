#!/usr/bin/env bash
# Proves env:up's control-plane settings without touching the running environment: starts a
# throwaway etcd, kube-apiserver, controller-manager and scheduler with the same command lines
# (control-plane.sh) on other ports (etcd 127.0.0.1:23791, API server 127.0.0.1:16443, 20257, 20259)
# and state directory, checks that etcd refuses clients without a certificate of its own CA, that the
# API server answers anonymous requests with 401 and serves kubectl and the controllers with client
# certificates, and where everything listens; then stops them all and removes the state.
# Needs the compiled binaries (build-k8s.sh). Exit 0 when every check passes.
set -euo pipefail
export INNERLOOP_ENV_STATE="${INNERLOOP_ENVSEC_STATE:-/tmp/envsec}"
. "$(dirname "$0")/lib.sh"
. "$ENV_DIR/control-plane.sh"
. "$ENV_DIR/hygiene.sh"
ETCD_CLIENT_PORT=23791; ETCD_PEER_PORT=23801; ETCD_METRICS_PORT=23811
API_PORT=16443; API_BIND=127.0.0.1   # the shared API server owns 6443 on every interface
KCM_PORT=20257; SCHEDULER_PORT=20259
BIN="$(k8s_bin_dir)"
[ -x "$BIN/kube-apiserver" ] || die "no compiled binaries in $BIN (run build-k8s.sh)"
for p in $ETCD_CLIENT_PORT $ETCD_PEER_PORT $ETCD_METRICS_PORT $API_PORT $KCM_PORT $SCHEDULER_PORT; do
  port_in_use "$p" && die "port $p is taken; the private instance needs it"
done

cleanup() {
  stop_owned kube-scheduler; stop_owned kube-controller-manager; stop_owned kube-apiserver; stop_owned etcd
  rm -rf "$STATE_DIR"
}
trap cleanup EXIT
rm -rf "$STATE_DIR"; mkdir -p "$STATE_DIR" "$ETCD_DATA_DIR"; chmod 700 "$ETCD_DATA_DIR"
make_pki
kubeconfig "$KUBECONFIG_PATH" admin "https://127.0.0.1:$API_PORT"
for c in controller-manager scheduler; do kubeconfig "$STATE_DIR/$c.kubeconfig" "$c" "https://127.0.0.1:$API_PORT"; done
etcd_args; apiserver_args; controller_manager_args; scheduler_args
start_bg etcd "$BIN/etcd" "${ETCD_ARGS[@]}"
wait_for etcd 120 etcd_healthy || { tail -n 20 "$LOG_DIR/etcd.log" >&2; die "etcd did not become healthy"; }
start_bg kube-apiserver "$BIN/kube-apiserver" "${APISERVER_ARGS[@]}"
wait_for kube-apiserver 240 apiserver_ready || { tail -n 20 "$LOG_DIR/kube-apiserver.log" >&2; die "kube-apiserver did not become ready"; }
start_bg kube-controller-manager "$BIN/kube-controller-manager" "${CONTROLLER_MANAGER_ARGS[@]}"
start_bg kube-scheduler "$BIN/kube-scheduler" "${SCHEDULER_ARGS[@]}"
k() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" --request-timeout=20s "$@"; }
# The controller-manager and scheduler work against an API server without anonymous access:
# a Deployment gets its ReplicaSet and Pod, and the scheduler reports why the pod has no node.
has_replicaset() { [ -n "$(k get rs -l app=envsec -o name)" ]; }
scheduler_tried() { k get events --field-selector reason=FailedScheduling -o name | grep . >/dev/null; }

E="$(etcd_url)"; A="https://127.0.0.1:$API_PORT"
echo "private instance: etcd $E, kube-apiserver $A (state $STATE_DIR)"
check_etcd_auth
check_apiserver_auth
check "kube-controller-manager is healthy" wait_for kube-controller-manager 120 curl -sfk "https://127.0.0.1:$KCM_PORT/healthz"
check "kube-scheduler is healthy" wait_for kube-scheduler 120 curl -sfk "https://127.0.0.1:$SCHEDULER_PORT/healthz"
k create deployment envsec --image="$IMAGE_BUSYBOX" >/dev/null
check "kube-controller-manager created the Deployment's ReplicaSet" wait_for "ReplicaSet" 120 has_replicaset
check "kube-scheduler considered the Pod (no node here: FailedScheduling)" wait_for "scheduling attempt" 120 scheduler_tried
check_listeners etcd kube-apiserver kube-controller-manager kube-scheduler
[ $failed = 0 ] && echo "private instance: all checks passed" || echo "private instance: FAILED"
exit $failed
