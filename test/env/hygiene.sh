# Checks of the environment's hygiene (sourced after lib.sh, control-plane.sh and firewall.sh):
# check-hygiene.sh runs them on the running environment, check-private.sh and
# check-firewall-private.sh on their throwaway instances.
# shellcheck shell=bash

failed=0
check() { # DESCRIPTION CMD...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then echo "  ok    $what"; else echo "  FAIL  $what"; failed=1; fi
}
not() { ! "$@"; }
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }

# etcd_refuses CURL-ARGS...: etcd serves its own client certificate but refuses this request
# (a refusal alone could be a stopped etcd or a missing file).
etcd_refuses() { etcd_healthy && ! curl -sf --max-time 5 "$@"; }
check_etcd_auth() {
  local e; e="$(etcd_url)"
  check "etcd serves the API server's client certificate" etcd_healthy
  check "etcd refuses plain http" etcd_refuses "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
  check "etcd refuses TLS without a client certificate" etcd_refuses --cacert "$PKI_DIR/etcd-ca.crt" "$e/health"
  check "etcd refuses a certificate of the cluster CA" \
    etcd_refuses --cacert "$PKI_DIR/etcd-ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" "$e/health"
}

check_apiserver_auth() {
  local a="https://127.0.0.1:$API_PORT"
  check "API server answers anonymous /readyz with 401" test "$(http_code --cacert "$PKI_DIR/ca.crt" "$a/readyz")" = 401
  check "API server answers anonymous /version with 401" test "$(http_code --cacert "$PKI_DIR/ca.crt" "$a/version")" = 401
  check "API server serves /readyz with a client certificate" apiserver_ready
  check "kubectl with the admin kubeconfig lists namespaces" \
    "$(k8s_bin_dir)/kubectl" --kubeconfig "$KUBECONFIG_PATH" get namespaces --request-timeout=20s
  check "the API server reaches etcd" "$(k8s_bin_dir)/kubectl" --kubeconfig "$KUBECONFIG_PATH" get --raw /readyz/etcd --request-timeout=20s
}

# listener_allowed NAME ADDRESS PORT: loopback or the bridge only; the API server's port on every
# interface (pods reach it at NODE_IP; firewall.sh filters it).
listener_allowed() {
  case "$2" in 127.0.0.1|'[::1]'|"$NODE_IP") return 0 ;; esac
  [ "$1" = kube-apiserver ] && [ "$3" = "$API_PORT" ]
}

# check_listeners COMPONENT...: every TCP/UDP listener of each running component (and of its
# direct children, e.g. docker-proxy) is allowed.
check_listeners() {
  local name pid p line addr port bad
  for name in "$@"; do
    pid="$(owned_pid "$name")" || { echo "  FAIL  $name is not running"; failed=1; continue; }
    bad=""
    for p in $pid $(pgrep -P "$pid" || true); do
      while read -r line; do
        addr="${line%:*}"; port="${line##*:}"
        listener_allowed "$name" "$addr" "$port" || bad="$bad $addr:$port"
        printf '        %-24s listens on %s\n' "$name" "$addr:$port"
      done < <(ss -Hlntup 2>/dev/null | awk -v pid="pid=$p," 'index($0, pid) {print $5}' | sort -u)
    done
    check "$name listens on loopback or the bridge only${bad:+ (not:$bad)}" test -z "$bad"
  done
}

check_firewall() {
  local ports="-p tcp -m multiport --dports $FW_PORTS -j $FW_INPUT"
  check "INPUT sends ports $FW_PORTS to $FW_INPUT" sh -c "iptables -w -S INPUT | grep -qF -- '$ports'"
  check "$FW_INPUT accepts loopback, the pod subnet on $BRIDGE, and rejects the rest" sh -c "
    iptables -w -S $FW_INPUT | grep -qx -- '-A $FW_INPUT -i lo -j ACCEPT' &&
    iptables -w -S $FW_INPUT | grep -qx -- '-A $FW_INPUT -s $NODE_POD_CIDR -i $BRIDGE -j ACCEPT' &&
    iptables -w -S $FW_INPUT | tail -n1 | grep -q -- '-j REJECT'"
  check "ip6tables: ports $FW_PORTS accept loopback only" sh -c "
    ip6tables -w -S INPUT | grep -qF -- '$ports' &&
    ip6tables -w -S $FW_INPUT | grep -qx -- '-A $FW_INPUT -i lo -j ACCEPT' &&
    test \$(ip6tables -w -S $FW_INPUT | grep -c -- '-j ACCEPT') = 1"
  check "FORWARD policy is DROP" sh -c "iptables -w -S FORWARD | grep -qx -- '-P FORWARD DROP'"
  check "FORWARD accepts the pod subnet ($NODE_POD_CIDR) through $FW_FORWARD" sh -c "
    iptables -w -S FORWARD | grep -qx -- '-A FORWARD -j $FW_FORWARD' &&
    iptables -w -S $FW_FORWARD | grep -qx -- '-A $FW_FORWARD -s $NODE_POD_CIDR -j ACCEPT'"
}
