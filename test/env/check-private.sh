#!/usr/bin/env bash
# Proves env:up's etcd and kube-apiserver settings without touching the running environment:
# starts a throwaway etcd + kube-apiserver with the same command lines (control-plane.sh) on other
# ports (etcd 127.0.0.1:23791, API server 127.0.0.1:16443) and another state directory, checks that
# etcd refuses clients without a certificate of its own CA, that the API server answers anonymous
# requests with 401 and serves kubectl with a client certificate, then stops both and removes the state.
# Needs the compiled binaries (build-k8s.sh). Exit 0 when every check passes.
set -euo pipefail
export INNERLOOP_ENV_STATE="${INNERLOOP_ENVSEC_STATE:-/tmp/envsec}"
. "$(dirname "$0")/lib.sh"
. "$ENV_DIR/control-plane.sh"
ETCD_CLIENT_PORT=23791; ETCD_PEER_PORT=23801; ETCD_METRICS_PORT=23811
API_PORT=16443; API_BIND=127.0.0.1   # the shared API server owns 6443 on every interface
BIN="$(k8s_bin_dir)"
[ -x "$BIN/kube-apiserver" ] || die "no compiled binaries in $BIN (run build-k8s.sh)"
for p in $ETCD_CLIENT_PORT $ETCD_PEER_PORT $ETCD_METRICS_PORT $API_PORT; do
  port_in_use "$p" && die "port $p is taken; the private instance needs it"
done

cleanup() { stop_owned kube-apiserver; stop_owned etcd; rm -rf "$STATE_DIR"; }
trap cleanup EXIT
rm -rf "$STATE_DIR"; mkdir -p "$STATE_DIR" "$ETCD_DATA_DIR"; chmod 700 "$ETCD_DATA_DIR"
make_pki
kubeconfig "$KUBECONFIG_PATH" admin "https://127.0.0.1:$API_PORT"
etcd_args; apiserver_args
start_bg etcd "$BIN/etcd" "${ETCD_ARGS[@]}"
wait_for etcd 120 etcd_healthy || { tail -n 20 "$LOG_DIR/etcd.log" >&2; die "etcd did not become healthy"; }
start_bg kube-apiserver "$BIN/kube-apiserver" "${APISERVER_ARGS[@]}"
wait_for kube-apiserver 240 apiserver_ready || { tail -n 20 "$LOG_DIR/kube-apiserver.log" >&2; die "kube-apiserver did not become ready"; }

failed=0
check() { # DESCRIPTION CMD...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "  ok    $what"; else echo "  FAIL  $what"; failed=1; fi
}
not() { ! "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }
E="$(etcd_url)"; A="https://127.0.0.1:$API_PORT"
echo "private instance: etcd $E, kube-apiserver $A (state $STATE_DIR)"
check "etcd refuses plain http" not curl -sf --max-time 5 "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
check "etcd refuses TLS without a client certificate" not curl -sf --max-time 5 --cacert "$PKI_DIR/etcd-ca.crt" "$E/health"
check "etcd refuses a certificate of the cluster CA" \
  not curl -sf --max-time 5 --cacert "$PKI_DIR/etcd-ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" "$E/health"
check "etcd serves the API server's client certificate" etcd_healthy
check "API server answers anonymous /readyz with 401" test "$(code --cacert "$PKI_DIR/ca.crt" "$A/readyz")" = 401
check "API server answers anonymous /version with 401" test "$(code --cacert "$PKI_DIR/ca.crt" "$A/version")" = 401
check "API server serves /readyz with a client certificate" apiserver_ready
check "kubectl with the admin kubeconfig lists namespaces" "$BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" get namespaces --request-timeout=20s
check "the API server stored its objects in etcd over TLS" \
  "$BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" get --raw /readyz/etcd --request-timeout=20s
[ $failed = 0 ] && echo "private instance: all checks passed" || echo "private instance: FAILED"
exit $failed
