#!/usr/bin/env bash
# Builds the base images locally (nothing can be pulled) and pushes them to the local registry:
#   busybox        FROM scratch + Debian's busybox-static (sh, tar, wget, ...)
#   debian-python / debian-node   one debootstrap bookworm rootfs with python3 + flask (+ debugpy)
#                                 and nodejs + express, tagged under both names
#   pause, coredns FROM scratch + the binaries compiled by build-k8s.sh
#   debian-go      the same rootfs + Debian's golang-go (1.19) and delve, for Go services under `dlv exec`
#   debian-python-debugpy  the same rootfs + debugpy from PyPI (pinned wheel, fetched on this host with pip), for
#                  the todo app's API
# Skips everything when the registry already holds this version of the images; `images.sh go` builds only debian-go,
# `images.sh debugpy` only debian-python-debugpy.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

IMAGES_VERSION=1
DEBIAN_SUITE=bookworm
DEBIAN_PACKAGES=python3,python3-flask,python3-debugpy,nodejs,node-express,tar,coreutils,procps,ca-certificates,netbase
ROOTFS_KEY="$DEBIAN_SUITE-minbase-$(printf '%s' "$DEBIAN_PACKAGES" | sha256sum | cut -c1-12)"
ROOTFS_TAR="$CACHE_DIR/rootfs/debian-$ROOTFS_KEY.tar"
STAMP="$CACHE_DIR/registry/innerloop-images.stamp"
stamp_value="$IMAGES_VERSION $K8S_VERSION $ROOTFS_KEY"
bin="$(k8s_bin_dir)"
export DOCKER_HOST="unix://$DOCKER_SOCK"

# The Debian mirror apt already uses on this machine (deb822 or one-line sources).
debian_mirror() {
  local m
  m="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {for (i=2;i<=NF;i++) if ($i !~ /security/) {print $i; exit}}')"
  [ -n "$m" ] || m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' | head -n1)"
  echo "${m:-http://deb.debian.org/debian}"
}

manifest_exists() { # repo tag
  curl -sf -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_HOST:$REGISTRY_PORT/v2/$1/manifests/$2"
}

all_pushed() {
  [ "$(cat "$STAMP" 2>/dev/null)" = "$stamp_value" ] || return 1
  local ref repo tag
  for ref in "$IMAGE_BUSYBOX" "$IMAGE_PYTHON" "$IMAGE_NODE" "$IMAGE_PAUSE" "$IMAGE_COREDNS"; do
    ref="${ref#localhost:5000/}"; repo="${ref%:*}"; tag="${ref##*:}"
    manifest_exists "$repo" "$tag" || return 1
  done
}

build_rootfs_tar() {
  [ -s "$ROOTFS_TAR" ] && { log "Debian rootfs cached: $ROOTFS_TAR"; return; }
  local mirror dir start=$SECONDS blog="$CACHE_DIR/rootfs/debootstrap.log"
  mirror="$(debian_mirror)"
  # Leftovers of an interrupted build: unmount first so rm cannot reach into /proc.
  for d in "$CACHE_DIR"/rootfs/debootstrap.*/; do
    [ -d "$d" ] || continue
    umount "$d/proc" 2>/dev/null || true
    rm -rf --one-file-system "$d"; log "removed unfinished rootfs build $d"
  done
  rm -f "$ROOTFS_TAR.partial"
  dir="$(mktemp -d "$CACHE_DIR/rootfs/debootstrap.XXXXXX")"
  log "debootstrap $DEBIAN_SUITE minbase from $mirror, then apt-get install ${DEBIAN_PACKAGES//,/ }"
  # debootstrap's own --include resolves dependencies only partly (node-* packages fail), so the
  # extra packages go in with apt inside the new root.
  if ! debootstrap --variant=minbase "$DEBIAN_SUITE" "$dir" "$mirror" >"$blog" 2>&1; then
    cat "$dir/debootstrap/debootstrap.log" >>"$blog" 2>/dev/null || true
    tail -n 30 "$blog" >&2; rm -rf "$dir"; die "debootstrap failed (log: $blog)"
  fi
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mount -t proc proc "$dir/proc"
  local rc=0
  chroot "$dir" /usr/bin/env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${DEBIAN_PACKAGES//,/ } && apt-get clean" \
    >>"$blog" 2>&1 || rc=$?
  umount "$dir/proc"
  if [ $rc != 0 ]; then tail -n 30 "$blog" >&2; rm -rf "$dir"; die "apt-get install in the Debian rootfs failed (log: $blog)"; fi
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
  : >"$dir/etc/resolv.conf"  # the container runtime provides it
  tar --numeric-owner -C "$dir" -cf "$ROOTFS_TAR.partial" .
  rm -rf "$dir"; mv "$ROOTFS_TAR.partial" "$ROOTFS_TAR"
  log "Debian rootfs built in $((SECONDS - start))s ($(du -h "$ROOTFS_TAR" | cut -f1))"
}

# Images that extend the cached base rootfs (debian-go), each in its own tarball and with its own stamp, so adding one
# never rebuilds (or retags) the images others already use.
#   ext_spec NAME sets EXT_IMAGE, EXT_APT (Debian packages, may be empty), EXT_WHEEL (a PyPI requirement downloaded
#   on this host as a wheel into /tmp/ext of the root, may be empty), EXT_AFTER (a command run in the root after
#   apt), EXT_ENV.
DEBUGPY_VERSION=1.8.22
ext_spec() {
  EXT_WHEEL=""
  case "$1" in
    go)
      EXT_IMAGE=$IMAGE_GO EXT_APT="golang-go delve" EXT_AFTER=true
      # Nothing is downloaded at build time: GOPROXY=off makes a missing module an error, not a hang.
      EXT_ENV=(-c 'ENV GOPROXY=off' -c 'ENV GOFLAGS=-buildvcs=false' -c 'ENV CGO_ENABLED=0') ;;
    debugpy)
      # The wheel for the image's CPython 3.11 and glibc 2.36 (with pydevd's compiled speedups), unpacked into
      # /usr/local's dist-packages (ahead of Debian's python3-debugpy on sys.path): no pip in the image. PyPI is
      # reached from this host, not from inside image builds.
      EXT_IMAGE=$IMAGE_PYTHON_DEBUGPY EXT_APT="" EXT_WHEEL="debugpy==$DEBUGPY_VERSION" EXT_ENV=()
      EXT_AFTER="python3 -m zipfile -e /tmp/ext/debugpy-$DEBUGPY_VERSION-*.whl /usr/local/lib/python3.11/dist-packages/ && python3 -m compileall -q /usr/local/lib/python3.11/dist-packages/debugpy >/dev/null; rm -rf /tmp/ext && python3 -c 'import debugpy; assert debugpy.__version__ == \"$DEBUGPY_VERSION\", debugpy.__file__'" ;;
    *) die "unknown image $1" ;;
  esac
}

ext_rootfs_tar() { echo "$CACHE_DIR/rootfs/debian-$ROOTFS_KEY-$1-$(printf '%s|%s' "$EXT_APT" "$EXT_AFTER" | sha256sum | cut -c1-12).tar"; }

build_ext_rootfs_tar() { # NAME
  local tarball; tarball="$(ext_rootfs_tar "$1")"
  [ -s "$tarball" ] && { log "$1 rootfs cached: $tarball"; return; }
  build_rootfs_tar
  local dir start=$SECONDS blog="$CACHE_DIR/rootfs/debootstrap-$1.log" rc=0
  dir="$(mktemp -d "$CACHE_DIR/rootfs/debootstrap.XXXXXX")"
  tar -C "$dir" -xf "$ROOTFS_TAR"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  if [ -n "$EXT_WHEEL" ]; then
    mkdir -p "$dir/tmp/ext"
    python3 -m pip download -q --no-deps --only-binary=:all: --implementation cp --python-version 3.11 --abi cp311 \
      --platform "manylinux_2_36_$(uname -m)" -d "$dir/tmp/ext" "$EXT_WHEEL" >"$blog" 2>&1 \
      || { tail -n 30 "$blog" >&2; rm -rf --one-file-system "$dir"; die "$1: pip download $EXT_WHEEL failed (log: $blog)"; }
  fi
  mount -t proc proc "$dir/proc"
  log "$1: ${EXT_APT:+apt-get install $EXT_APT, then }$EXT_AFTER, on the base rootfs"
  chroot "$dir" /usr/bin/env -i DEBIAN_FRONTEND=noninteractive PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    sh -c "${EXT_APT:+apt-get update -qq && apt-get install -y -qq --no-install-recommends $EXT_APT && apt-get clean && }$EXT_AFTER" \
    >>"$blog" 2>&1 || rc=$?
  umount "$dir/proc"
  if [ $rc != 0 ]; then tail -n 30 "$blog" >&2; rm -rf --one-file-system "$dir"; die "$1: building the root failed (log: $blog)"; fi
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
  : >"$dir/etc/resolv.conf"
  tar --numeric-owner -C "$dir" -cf "$tarball.partial" .
  rm -rf --one-file-system "$dir"; mv "$tarball.partial" "$tarball"
  log "$1 rootfs built in $((SECONDS - start))s ($(du -h "$tarball" | cut -f1))"
}

build_ext_image() { # NAME
  ext_spec "$1"
  local ref="${EXT_IMAGE#localhost:5000/}" stamp="$CACHE_DIR/registry/innerloop-image-$1.stamp" value
  value="$IMAGES_VERSION $(basename "$(ext_rootfs_tar "$1")")"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$value" ] && manifest_exists "${ref%:*}" "${ref##*:}"; then
    log "$EXT_IMAGE already in the registry"; return
  fi
  build_ext_rootfs_tar "$1"
  docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' "${EXT_ENV[@]}" -c 'CMD ["bash"]' "$(ext_rootfs_tar "$1")" "$EXT_IMAGE" >/dev/null
  docker push -q "$EXT_IMAGE" >/dev/null
  log "pushed $EXT_IMAGE"
  echo "$value" >"$stamp"
}

build_ext_images() { build_ext_image go; build_ext_image debugpy; }

# build_scratch IMAGE CONTEXT_DIR : image from a Dockerfile written into CONTEXT_DIR.
build_scratch() {
  docker build -q -t "$1" "$2" >"$2.log" 2>&1 || { cat "$2.log" >&2; die "docker build of $1 failed"; }
}

main() {
  mkdir -p "$CACHE_DIR/rootfs" "$CACHE_DIR/registry"
  case "${1:-}" in
    rootfs) build_rootfs_tar; return ;;
    rootfs-cached) [ -s "$ROOTFS_TAR" ]; return ;;
    go|debugpy) build_ext_image "$1"; return ;;
  esac
  if all_pushed; then log "base images already in the registry (version $IMAGES_VERSION)"; build_ext_images; return; fi
  local work; work="$(mktemp -d)"; trap 'rm -rf "$work"' RETURN

  # busybox: every applet as a symlink in /bin, so sh, tar, wget ... work as in the upstream image.
  local bb="$work/busybox/rootfs"
  mkdir -p "$bb"/{bin,etc,root,tmp,var,proc,sys,dev}
  chmod 1777 "$bb/tmp"
  cp "$(command -v busybox)" "$bb/bin/busybox"
  for a in $("$bb/bin/busybox" --list); do [ -e "$bb/bin/$a" ] || ln -s busybox "$bb/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$bb/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$bb/etc/group"
  printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/bin\nCMD ["sh"]\n' >"$work/busybox/Dockerfile"
  build_scratch "$IMAGE_BUSYBOX" "$work/busybox"

  mkdir -p "$work/pause" "$work/coredns"
  cp "$bin/pause" "$work/pause/pause"
  printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$work/pause/Dockerfile"
  build_scratch "$IMAGE_PAUSE" "$work/pause"
  cp "$bin/coredns" "$work/coredns/coredns"
  printf 'FROM scratch\nCOPY coredns /coredns\nEXPOSE 53 53/udp\nENTRYPOINT ["/coredns"]\n' >"$work/coredns/Dockerfile"
  build_scratch "$IMAGE_COREDNS" "$work/coredns"

  build_rootfs_tar
  docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' "$ROOTFS_TAR" "$IMAGE_PYTHON" >/dev/null
  docker tag "$IMAGE_PYTHON" "$IMAGE_NODE"

  local ref
  for ref in "$IMAGE_BUSYBOX" "$IMAGE_PYTHON" "$IMAGE_NODE" "$IMAGE_PAUSE" "$IMAGE_COREDNS"; do
    docker push -q "$ref" >/dev/null
    log "pushed $ref"
  done
  echo "$stamp_value" >"$STAMP"
  build_ext_images
}

main "$@"
