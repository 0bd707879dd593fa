#!/usr/bin/env bash
# Builds Tilt from source for the side-by-side bench (bench/tilt-vs-innerloop.bench.ts), cached under
# ~/.cache/innerloop/tilt-$VERSION/tilt: a second run is a no-op. Not part of npm test.
# `go install github.com/tilt-dev/tilt/cmd/tilt@VERSION` does not work here: it asks the module proxy for the
# version list (deprecation check), which the proxy refuses (403), and Tilt's go.mod has replace directives, which
# `go install pkg@version` rejects anyway. So: download the module, build it in place with its own go.mod.
# The source build has no web UI assets (they come from a yarn build); a placeholder index.html lets
# `--web-mode=prod` start without the webpack dev server (which would run `yarn install` and bind 0.0.0.0).
set -euo pipefail
VERSION="${TILT_VERSION:-v0.33.21}"
DEST="${HOME}/.cache/innerloop/tilt-${VERSION}"
export PATH="/usr/local/go/bin:${PATH}"
if [ -x "${DEST}/tilt" ]; then
  echo "tilt ${VERSION} already built: ${DEST}/tilt"
  exit 0
fi
SRC="${DEST}/src"
if [ ! -f "${SRC}/go.mod" ]; then
  MOD_DIR="$(cd /tmp && go mod download -json "github.com/tilt-dev/tilt@${VERSION}" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  mkdir -p "${DEST}"
  rm -rf "${SRC}.tmp"
  cp -r "${MOD_DIR}" "${SRC}.tmp"
  chmod -R u+w "${SRC}.tmp"
  # The module zip's vendor/ holds only modules.txt and would force -mod=vendor; node_modules is the web UI's.
  rm -rf "${SRC}.tmp/vendor" "${SRC}.tmp/node_modules"
  mkdir -p "${SRC}.tmp/pkg/assets/build"
  printf '<!doctype html><title>Tilt %s (source build, no web UI)</title>\n' "${VERSION}" > "${SRC}.tmp/pkg/assets/build/index.html"
  mv "${SRC}.tmp" "${SRC}"
fi
cd "${SRC}"
# Version stamped the way Tilt's release build does (internal/cli/build.go), so `tilt version` says what it is.
nice -n 10 env GOFLAGS=-mod=mod go build -o "${DEST}/tilt.tmp" \
  -ldflags "-X main.version=${VERSION#v}" ./cmd/tilt
mv "${DEST}/tilt.tmp" "${DEST}/tilt"
echo "built: ${DEST}/tilt"
"${DEST}/tilt" version
