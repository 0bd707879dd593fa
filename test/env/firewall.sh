# Host firewall rules of the local environment (sourced after lib.sh and control-plane.sh).
# Two listeners cannot be on loopback: the API server (all interfaces; pods reach it at NODE_IP,
# the kubeconfig at 127.0.0.1) and the kubelet (NODE_IP). Only loopback and the pod bridge may
# connect to them. Forwarding is limited to the pod subnet instead of the FORWARD ACCEPT policy.
# Every rule lives in chains of our own, so firewall_down removes exactly what firewall_up added.
# shellcheck shell=bash

FW_INPUT=INNERLOOP-INPUT
FW_FORWARD=INNERLOOP-FORWARD
FW_PORTS="$API_PORT,10250"
FW_ORIG="$STATE_DIR/firewall.orig"   # the FORWARD policy and ip_forward found before env:up

# fw_chain TOOL CHAIN: creates CHAIN or empties it (so firewall_up can run again).
fw_chain() { "$1" -w -N "$2" 2>/dev/null || "$1" -w -F "$2"; }
# fw_jump TOOL PARENT RULE...: adds the jump once.
fw_jump() { local t=$1 p=$2; shift 2; "$t" -w -C "$p" "$@" 2>/dev/null || "$t" -w -I "$p" 1 "$@"; }

firewall_up() {
  if [ ! -f "$FW_ORIG" ]; then
    { echo "FORWARD_POLICY=$(iptables -w -S FORWARD | awk '$1 == "-P" {print $3}')"
      echo "IP_FORWARD=$(sysctl -n net.ipv4.ip_forward)"; } >"$FW_ORIG"
  fi
  fw_chain iptables "$FW_INPUT"
  iptables -w -A "$FW_INPUT" -i lo -j ACCEPT
  iptables -w -A "$FW_INPUT" -i "$BRIDGE" -s "$NODE_POD_CIDR" -j ACCEPT
  iptables -w -A "$FW_INPUT" -p tcp -j REJECT --reject-with tcp-reset
  fw_jump iptables INPUT -p tcp -m multiport --dports "$FW_PORTS" -j "$FW_INPUT"
  # Pods have no IPv6 address; over IPv6 only loopback may connect.
  if command -v ip6tables >/dev/null && ip6tables -w -S INPUT >/dev/null 2>&1; then
    fw_chain ip6tables "$FW_INPUT"
    ip6tables -w -A "$FW_INPUT" -i lo -j ACCEPT
    ip6tables -w -A "$FW_INPUT" -p tcp -j REJECT --reject-with tcp-reset
    fw_jump ip6tables INPUT -p tcp -m multiport --dports "$FW_PORTS" -j "$FW_INPUT"
  else
    log "warning: ip6tables is unavailable; ports $FW_PORTS are not filtered over IPv6"
  fi
  # Pods' own traffic (to each other, the node, the outside) and the replies to it; nothing else.
  # The CNI firewall plugin, kube-proxy and dockerd add their own ACCEPT rules for what they need.
  fw_chain iptables "$FW_FORWARD"
  iptables -w -A "$FW_FORWARD" -s "$NODE_POD_CIDR" -j ACCEPT
  iptables -w -A "$FW_FORWARD" -d "$NODE_POD_CIDR" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  iptables -w -C FORWARD -j "$FW_FORWARD" 2>/dev/null || iptables -w -A FORWARD -j "$FW_FORWARD"
  iptables -w -P FORWARD DROP
}

# fw_remove TOOL PARENT CHAIN RULE...: removes the jump and the chain if present.
fw_remove() {
  local t=$1 p=$2 c=$3; shift 3
  command -v "$t" >/dev/null || return 0
  while "$t" -w -C "$p" "$@" -j "$c" 2>/dev/null; do "$t" -w -D "$p" "$@" -j "$c"; done
  "$t" -w -F "$c" 2>/dev/null && "$t" -w -X "$c" 2>/dev/null || true
}

firewall_down() {
  fw_remove iptables INPUT "$FW_INPUT" -p tcp -m multiport --dports "$FW_PORTS"
  fw_remove ip6tables INPUT "$FW_INPUT" -p tcp -m multiport --dports "$FW_PORTS"
  fw_remove iptables FORWARD "$FW_FORWARD"
  if [ -f "$FW_ORIG" ]; then
    local FORWARD_POLICY="" IP_FORWARD=""
    # shellcheck disable=SC1090
    . "$FW_ORIG"
    [ -n "$FORWARD_POLICY" ] && iptables -w -P FORWARD "$FORWARD_POLICY"
    [ -n "$IP_FORWARD" ] && sysctl -qw net.ipv4.ip_forward="$IP_FORWARD"
    log "restored FORWARD policy $FORWARD_POLICY and net.ipv4.ip_forward=$IP_FORWARD"
    rm -f "$FW_ORIG"
  fi
}
