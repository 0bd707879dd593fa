#!/usr/bin/env bash
# Proves firewall.sh without touching the machine's own firewall: in throwaway network namespaces
# ("node" with the pod bridge, a "pod" on it, and an "outside" host routed to the node) it runs
# firewall_up twice, checks who may reach the API server and kubelet ports and what is forwarded,
# then runs firewall_down and checks that everything it added is gone. Root; exit 0 when all pass.
set -euo pipefail
export INNERLOOP_ENV_STATE=/tmp/envsec-fw
. "$(dirname "$0")/lib.sh"
. "$ENV_DIR/control-plane.sh"
. "$ENV_DIR/firewall.sh"
. "$ENV_DIR/hygiene.sh"
need_root

N=envsec-node P=envsec-pod O=envsec-out
OUT_NET=192.168.77   # the outside host's link to the node
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in $N $P $O; do ip netns del "$p" 2>/dev/null || true; done
  rm -rf "$STATE_DIR"
}
trap cleanup EXIT
cleanup; mkdir -p "$STATE_DIR"
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
for p in $N $P $O; do ip netns add "$p"; nsx "$p" ip link set lo up; done
nsx $N ip link add "$BRIDGE" type bridge
nsx $N ip addr add "$NODE_IP/24" dev "$BRIDGE"; nsx $N ip link set "$BRIDGE" up
nsx $N ip link add veth-pod type veth peer name eth0 netns $P
nsx $N ip link set veth-pod master "$BRIDGE" up
nsx $P ip addr add 10.244.0.5/24 dev eth0; nsx $P ip link set eth0 up; nsx $P ip route add default via "$NODE_IP"
nsx $N ip link add veth-out type veth peer name eth0 netns $O
nsx $N ip addr add $OUT_NET.1/24 dev veth-out; nsx $N ip link set veth-out up
nsx $O ip addr add $OUT_NET.2/24 dev eth0; nsx $O ip link set eth0 up; nsx $O ip route add 10.244.0.0/16 via $OUT_NET.1
nsx $N sysctl -qw net.ipv4.ip_forward=0   # as on a machine where nothing forwards yet
serve() { nsx "$1" python3 -m http.server "$2" --bind "$3" >/dev/null 2>&1 & PIDS+=($!); }
serve $N "$API_PORT" 0.0.0.0; serve $N 10250 "$NODE_IP"; serve $N 8080 0.0.0.0
serve $P 8000 0.0.0.0; serve $O 8000 0.0.0.0
reach() { nsx "$1" curl -s -o /dev/null --max-time 3 "http://$2/"; }
for t in "$N 127.0.0.1:$API_PORT" "$N 127.0.0.1:8080" "$P 10.244.0.5:8000" "$O $OUT_NET.2:8000"; do
  # shellcheck disable=SC2086
  wait_for "listener $t" 20 reach $t || die "test listener $t did not start"
done

rules() { nsx $N iptables -S; nsx $N ip6tables -S; }

# Baseline without our rules, so the refusals below are the firewall's doing.
nsx $N sysctl -qw net.ipv4.ip_forward=1
check "baseline: outside host reaches the API server port" reach $O "$OUT_NET.1:$API_PORT"
check "baseline: outside connection to a pod is forwarded" reach $O "10.244.0.5:8000"
nsx $N sysctl -qw net.ipv4.ip_forward=0
nsx $N bash -c ". '$ENV_DIR/lib.sh'; . '$ENV_DIR/control-plane.sh'; . '$ENV_DIR/firewall.sh'; firewall_up; firewall_up"
nsx $N sysctl -qw net.ipv4.ip_forward=1   # what setup_network does after firewall_up
once="$(rules)"
nsx $N bash -c ". '$ENV_DIR/lib.sh'; . '$ENV_DIR/control-plane.sh'; . '$ENV_DIR/firewall.sh'; firewall_up"
check "firewall_up is idempotent (same rules after a third run)" test "$once" = "$(rules)"
# check-hygiene.sh's rule checks, run inside the node namespace; they print their own lines.
nsx $N bash -c ". '$ENV_DIR/lib.sh'; . '$ENV_DIR/control-plane.sh'; . '$ENV_DIR/firewall.sh'; . '$ENV_DIR/hygiene.sh'; check_firewall; exit \$failed" || failed=1
check "node reaches the API server port on loopback" reach $N "127.0.0.1:$API_PORT"
check "node reaches the API server port at the node address" reach $N "$NODE_IP:$API_PORT"
check "a pod reaches the API server port at the node address" reach $P "$NODE_IP:$API_PORT"
check "a pod reaches the kubelet port" reach $P "$NODE_IP:10250"
check "outside host is refused on the API server port (link address)" not reach $O "$OUT_NET.1:$API_PORT"
check "outside host is refused on the API server port (node address)" not reach $O "$NODE_IP:$API_PORT"
check "outside host is refused on the kubelet port" not reach $O "$NODE_IP:10250"
check "outside host still reaches an unrelated port" reach $O "$OUT_NET.1:8080"
check "a pod's connection to the outside is forwarded" reach $P "$OUT_NET.2:8000"
check "an outside connection to a pod is not forwarded" not reach $O "10.244.0.5:8000"
check "ip6tables filters the ports too" sh -c "ip netns exec $N ip6tables -S INPUT | grep -q INNERLOOP-INPUT"

nsx $N bash -c ". '$ENV_DIR/lib.sh'; . '$ENV_DIR/control-plane.sh'; . '$ENV_DIR/firewall.sh'; firewall_down"
check "firewall_down removes every INNERLOOP chain" not sh -c "ip netns exec $N iptables -S | grep -q INNERLOOP; ip netns exec $N ip6tables -S | grep -q INNERLOOP"
check "firewall_down restores FORWARD ACCEPT" sh -c "ip netns exec $N iptables -S FORWARD | grep -qx -- '-P FORWARD ACCEPT'"
check "firewall_down restores ip_forward=0" test "$(nsx $N sysctl -n net.ipv4.ip_forward)" = 0
check "outside host reaches the API server port again" reach $O "$OUT_NET.1:$API_PORT"
[ $failed = 0 ] && echo "firewall: all checks passed" || echo "firewall: FAILED"
exit $failed
