#!/usr/bin/env bash
# Checks the RUNNING environment's hygiene: etcd refuses clients without a certificate of its own CA,
# the API server refuses anonymous requests, every component listens on loopback or the bridge only
# (the API server's port excepted, which the firewall limits to loopback and the pod subnet), and
# forwarding is limited to the pod subnet. Root (reads iptables and listener owners). Exit 0 when all pass.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ENV_DIR/control-plane.sh"
. "$ENV_DIR/firewall.sh"
. "$ENV_DIR/hygiene.sh"
need_root

echo "Innerloop environment hygiene (state: $STATE_DIR)"
check_etcd_auth
check_apiserver_auth
check_listeners "${COMPONENTS[@]}"
check "the registry listens on $REGISTRY_HOST:$REGISTRY_PORT" \
  sh -c "ss -Hltn 'sport = :$REGISTRY_PORT' | awk '{print \$4}' | grep -qx '$REGISTRY_HOST:$REGISTRY_PORT'"
check_firewall
# CoreDNS reads Services and Endpoints from the API server at its Service IP, from the pod network,
# through the firewall; it is only ready once that worked.
coredns_available() {
  local n; n="$(kubectl_env -n kube-system get deploy coredns -o jsonpath='{.status.availableReplicas}' --request-timeout=20s)"
  [ "${n:-0}" -ge 1 ]
}
check "a pod reaches the API server through the firewall (CoreDNS available)" coredns_available
if [ $failed = 0 ]; then echo "hygiene: all checks passed"; else echo "hygiene: FAILED"; fi
exit $failed
