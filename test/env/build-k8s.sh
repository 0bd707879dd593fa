#!/usr/bin/env bash
# Compiles etcd, the Kubernetes components, kubectl, the pause program and CoreDNS from upstream Go
# modules (pinned in test/env/go.mod and test/env/coredns/go.mod) into a cache directory keyed by
# Kubernetes and Go version. Only the first run compiles; later runs find the binaries and return.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v go >/dev/null || die "go is not installed (needed to build Kubernetes)"
out="$(k8s_bin_dir)"
# Static binaries without debug info; GOMAXPROCS/-p sized for a 2-core machine.
export GOFLAGS=-mod=mod CGO_ENABLED=0 GOMAXPROCS="${GOMAXPROCS:-2}"
build() { go build -p "${BUILD_PARALLEL:-2}" -trimpath -ldflags="-s -w ${VERSION_LDFLAGS:-}" "$@"; }

# Stamp the release version the way upstream's build does, so /version and the node report v1.x.y.
minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  VERSION_LDFLAGS+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

k8s_bins=(etcd pause kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
have_all() { local b; for b in "$@"; do [ -x "$out/$b" ] || return 1; done; }

if have_all "${k8s_bins[@]}"; then
  log "Kubernetes $K8S_VERSION binaries cached in $out"
else
  log "compiling Kubernetes $K8S_VERSION with $(go env GOVERSION) into $out (first run only; takes a while)"
  tmp="$out.partial"; rm -rf "$tmp"; mkdir -p "$tmp"
  start=$SECONDS
  # One invocation so the components share compiled packages.
  (cd "$ENV_DIR" && build -o "$tmp/" ./cmd/etcd ./cmd/pause \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl)
  mkdir -p "$out"; mv "$tmp"/* "$out/"; rmdir "$tmp"
  log "compiled Kubernetes in $((SECONDS - start))s"
fi

VERSION_LDFLAGS=""
if have_all coredns; then
  log "CoreDNS cached in $out"
else
  log "compiling CoreDNS ($(awk '$1=="github.com/coredns/coredns" {print $2}' "$ENV_DIR/coredns/go.mod"))"
  start=$SECONDS
  mkdir -p "$out"
  (cd "$ENV_DIR/coredns" && build -o "$out/coredns.partial" .)
  mv "$out/coredns.partial" "$out/coredns"
  log "compiled CoreDNS in $((SECONDS - start))s"
fi
