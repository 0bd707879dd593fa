# Certificates, etcd and kube-apiserver command lines, and their authenticated health checks
# (sourced after lib.sh). One definition serves env:up and check-private.sh, which runs the same
# flags on other ports and directories.
# shellcheck shell=bash

ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
ETCD_METRICS_PORT=2381
ETCD_DATA_DIR="$STATE_DIR/etcd"
# Pods reach the API server at NODE_IP on the bridge, so it listens on every interface;
# firewall.sh accepts its port only from loopback and the pod subnet.
API_BIND=0.0.0.0
KCM_PORT=10257
SCHEDULER_PORT=10259

# new_ca NAME CN: a self-signed CA (keeps an existing one).
new_ca() {
  [ -s "$PKI_DIR/$1.crt" ] && return
  openssl req -x509 -new -nodes -newkey rsa:2048 -keyout "$PKI_DIR/$1.key" -out "$PKI_DIR/$1.crt" \
    -days 3650 -sha256 -subj "/CN=$2" 2>/dev/null
  log "created CA $1 in $PKI_DIR"
}

# cert CA NAME CN O EXT [SANS]: a key and a certificate signed by CA (EXT = extendedKeyUsage).
cert() {
  local ca=$1 name=$2 cn=$3 o=$4 usage=$5 sans=${6:-}
  [ -s "$PKI_DIR/$name.crt" ] && return
  local subj="/CN=$cn"; [ -n "$o" ] && subj="/O=$o/CN=$cn"
  openssl req -new -nodes -newkey rsa:2048 -keyout "$PKI_DIR/$name.key" -out "$PKI_DIR/$name.csr" -subj "$subj" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } >"$PKI_DIR/$name.ext"
  openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/$ca.crt" -CAkey "$PKI_DIR/$ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI_DIR/$name.ext" -out "$PKI_DIR/$name.crt" 2>/dev/null
  rm -f "$PKI_DIR/$name.csr" "$PKI_DIR/$name.ext"
}

make_pki() {
  mkdir -p "$PKI_DIR"; chmod 700 "$PKI_DIR"
  if [ ! -s "$PKI_DIR/ca.crt" ]; then
    # A new CA invalidates every certificate and kubeconfig made with the old one.
    rm -f "$PKI_DIR"/* "$KUBECONFIG_PATH" "$STATE_DIR"/*.kubeconfig
    new_ca ca innerloop-ca
  fi
  cert ca apiserver kube-apiserver "" serverAuth \
    "IP:127.0.0.1,IP:$NODE_IP,IP:$KUBE_SVC_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
  cert ca apiserver-kubelet-client kube-apiserver-kubelet-client system:masters clientAuth
  cert ca admin innerloop-admin system:masters clientAuth
  cert ca controller-manager system:kube-controller-manager "" clientAuth
  cert ca scheduler system:kube-scheduler "" clientAuth
  cert ca kubelet-client "system:node:$NODE_NAME" system:nodes clientAuth
  cert ca kubelet-serving "system:node:$NODE_NAME" system:nodes serverAuth "IP:$NODE_IP,IP:127.0.0.1,DNS:$NODE_NAME,DNS:localhost"
  cert ca kube-proxy system:kube-proxy "" clientAuth
  # etcd trusts its own CA only: the cluster CA also signs certificates approved through the
  # Kubernetes CSR API, which must never open etcd.
  if [ ! -s "$PKI_DIR/etcd-ca.crt" ]; then
    rm -f "$PKI_DIR"/etcd-* "$PKI_DIR"/apiserver-etcd-client.*
    new_ca etcd-ca innerloop-etcd-ca
  fi
  cert etcd-ca etcd-server etcd-server "" serverAuth "IP:127.0.0.1,DNS:localhost"
  cert etcd-ca etcd-peer etcd-peer "" serverAuth,clientAuth "IP:127.0.0.1,DNS:localhost"
  cert etcd-ca apiserver-etcd-client kube-apiserver-etcd-client "" clientAuth
  if [ ! -s "$PKI_DIR/sa.key" ]; then
    openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
  fi
}

# kubeconfig FILE CERTNAME SERVER: a kubeconfig with embedded credentials and context "innerloop".
kubeconfig() {
  local f=$1 user=$2 server=$3 k
  k="$(k8s_bin_dir)/kubectl"
  [ -s "$f" ] && grep -q "server: $server" "$f" && return
  rm -f "$f"
  "$k" config set-cluster innerloop --server="$server" --certificate-authority="$PKI_DIR/ca.crt" --embed-certs --kubeconfig="$f" >/dev/null
  "$k" config set-credentials "$user" --client-certificate="$PKI_DIR/$user.crt" --client-key="$PKI_DIR/$user.key" --embed-certs --kubeconfig="$f" >/dev/null
  "$k" config set-context innerloop --cluster=innerloop --user="$user" --kubeconfig="$f" >/dev/null
  "$k" config use-context innerloop --kubeconfig="$f" >/dev/null
  chmod 600 "$f"
}

etcd_url() { echo "https://127.0.0.1:$ETCD_CLIENT_PORT"; }

# etcd_args: sets ETCD_ARGS. TLS on loopback only, client and peer certificates required.
etcd_args() {
  local client peer
  client="$(etcd_url)"; peer="https://127.0.0.1:$ETCD_PEER_PORT"
  ETCD_ARGS=(--name "$NODE_NAME" --data-dir "$ETCD_DATA_DIR"
    --listen-client-urls "$client" --advertise-client-urls "$client"
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "$NODE_NAME=$peer"
    --listen-metrics-urls "http://127.0.0.1:$ETCD_METRICS_PORT"
    --client-cert-auth --trusted-ca-file "$PKI_DIR/etcd-ca.crt"
    --cert-file "$PKI_DIR/etcd-server.crt" --key-file "$PKI_DIR/etcd-server.key"
    --peer-client-cert-auth --peer-trusted-ca-file "$PKI_DIR/etcd-ca.crt"
    --peer-cert-file "$PKI_DIR/etcd-peer.crt" --peer-key-file "$PKI_DIR/etcd-peer.key"
    --unsafe-no-fsync --snapshot-count 10000)
}

# apiserver_args: sets APISERVER_ARGS. No anonymous requests; etcd over mutual TLS.
apiserver_args() {
  APISERVER_ARGS=(--advertise-address="$NODE_IP" --bind-address="$API_BIND" --secure-port="$API_PORT"
    --anonymous-auth=false
    --etcd-servers="$(etcd_url)" --etcd-cafile="$PKI_DIR/etcd-ca.crt"
    --etcd-certfile="$PKI_DIR/apiserver-etcd-client.crt" --etcd-keyfile="$PKI_DIR/apiserver-etcd-client.key"
    --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767
    --client-ca-file="$PKI_DIR/ca.crt"
    --tls-cert-file="$PKI_DIR/apiserver.crt" --tls-private-key-file="$PKI_DIR/apiserver.key"
    --kubelet-client-certificate="$PKI_DIR/apiserver-kubelet-client.crt"
    --kubelet-client-key="$PKI_DIR/apiserver-kubelet-client.key"
    --kubelet-certificate-authority="$PKI_DIR/ca.crt"
    --kubelet-preferred-address-types=InternalIP
    --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN"
    --service-account-key-file="$PKI_DIR/sa.pub" --service-account-signing-key-file="$PKI_DIR/sa.key"
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction
    --allow-privileged=true --profiling=false --v=1)
}

# controller_manager_args, scheduler_args: set CONTROLLER_MANAGER_ARGS / SCHEDULER_ARGS (loopback only;
# they authenticate to the API server with their kubeconfigs' client certificates).
controller_manager_args() {
  local kc="$STATE_DIR/controller-manager.kubeconfig"
  CONTROLLER_MANAGER_ARGS=(--kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc"
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false
    --cluster-signing-cert-file="$PKI_DIR/ca.crt" --cluster-signing-key-file="$PKI_DIR/ca.key"
    --root-ca-file="$PKI_DIR/ca.crt" --service-account-private-key-file="$PKI_DIR/sa.key"
    --use-service-account-credentials=true
    --service-cluster-ip-range="$SERVICE_CIDR" --cluster-cidr="$POD_CIDR" --v=1)
}
scheduler_args() {
  local kc="$STATE_DIR/scheduler.kubeconfig"
  SCHEDULER_ARGS=(--kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc"
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --leader-elect=false --v=1)
}

# Health checks authenticate like the API server does towards etcd, and like an admin towards the API server.
etcd_healthy() {
  local body   # no pipe into grep -q: under pipefail an early grep exit could fail curl with SIGPIPE
  body="$(curl -sf --max-time 5 --cacert "$PKI_DIR/etcd-ca.crt" \
    --cert "$PKI_DIR/apiserver-etcd-client.crt" --key "$PKI_DIR/apiserver-etcd-client.key" "$(etcd_url)/health")" &&
    [[ $body == *'"health":"true"'* ]]
}
apiserver_ready() {
  curl -sf --max-time 5 --cacert "$PKI_DIR/ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" \
    "https://127.0.0.1:$API_PORT/readyz" >/dev/null
}
