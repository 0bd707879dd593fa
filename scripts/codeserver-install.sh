#!/usr/bin/env bash
# Installs code-server (VS Code in a browser) and what the e2e tests need to drive it, outside the repo:
#   $INNERLOOP_CACHE/code-server-$VERSION   (default ~/.cache/innerloop/code-server-4.100.3)
# Idempotent: a finished install leaves a stamp file and a second run returns at once.
# Nothing here downloads a binary: code-server's own postinstall (which would fetch ripgrep and prebuilt
# native modules) is skipped; native modules are compiled from source against the local Node headers and
# ripgrep comes from Debian.
#
# Prints the install directory on its last line. Env:
#   CODE_SERVER_VERSION  (default 4.100.3; must match the Node 20 line code-server supports)
#   INNERLOOP_CACHE      (default ~/.cache/innerloop)
#   INNERLOOP_SKIP_APT=1 do not apt-get missing Debian packages (just fail if absent)
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE="${INNERLOOP_CACHE:-$HOME/.cache/innerloop}"
DIR="$CACHE/code-server-$VERSION"
STAMP="$DIR/.innerloop-ready"
# Bump when the steps below change, so existing caches are redone.
RECIPE=2
CS="$DIR/node_modules/code-server"

log() { printf 'codeserver-install: %s\n' "$*" >&2; }

if [[ "$(cat "$STAMP" 2>/dev/null)" == "$VERSION recipe=$RECIPE" && -x /usr/bin/chromium && -x "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]]; then
  log "ready (cached) at $DIR"
  echo "$DIR"
  exit 0
fi

# Debian packages: chromium (+ fonts, for readable screenshots) drives the UI, ripgrep replaces the
# downloaded rg, the rest builds native modules.
DEBS=(chromium fonts-dejavu-core fonts-liberation ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev build-essential python3 pkg-config)
missing=()
for p in "${DEBS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [[ "${INNERLOOP_SKIP_APT:-}" == 1 || "$(id -u)" != 0 ]]; then
    log "missing Debian packages: ${missing[*]} (install them, or run as root)"; exit 1
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm through a lock so concurrent installs in this workspace don't trample each other.
npmx() { if command -v flock >/dev/null; then flock /tmp/npm.lock npm "$@"; else npm "$@"; fi; }
NPMFLAGS=(--no-audit --no-fund --loglevel=error)
# Compile against the installed Node's headers instead of letting node-gyp download them.
GYPFLAGS=(--build-from-source)
GYPDIR=()
[[ -f /usr/include/node/node.h ]] && GYPDIR=(--nodedir=/usr)
GYPFLAGS+=("${GYPDIR[@]}")
# The node-gyp that ships inside npm.
GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$GYP" ]] || { log "node-gyp not found next to npm ($GYP)"; exit 1; }

mkdir -p "$DIR"
cd "$DIR"
[[ -f package.json ]] || echo '{"private":true,"name":"innerloop-code-server-cache"}' > package.json

if [[ ! -f "$CS/package.json" ]] || [[ "$(node -p "require('$CS/package.json').version")" != "$VERSION" ]]; then
  log "npm install code-server@$VERSION"
  npmx install "code-server@$VERSION" --ignore-scripts "${NPMFLAGS[@]}"
fi
# argon2 (password hashing, loaded at start-up) would try a prebuilt download first; build it instead.
if [[ ! -f "$DIR/node_modules/argon2/lib/binding/napi-v3/argon2.node" ]] && ! ls "$DIR"/node_modules/argon2/build/Release/*.node >/dev/null 2>&1; then
  log "building argon2"
  npmx rebuild argon2 "${GYPFLAGS[@]}" "${NPMFLAGS[@]}"
fi

cd "$CS/lib/vscode"
if [[ ! -d node_modules/node-pty ]]; then
  log "npm install (lib/vscode)"
  npmx install --omit=dev --ignore-scripts "${NPMFLAGS[@]}"
fi
# ripgrep from Debian in the place VS Code's search looks for it.
mkdir -p node_modules/@vscode/ripgrep/bin
cp -f "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# Native modules used on Linux (the windows-* ones are skipped; @parcel/watcher ships a prebuilt npm package).
NATIVE=(kerberos @vscode/spdlog @vscode/deviceid native-watchdog node-pty)
need=()
for m in "${NATIVE[@]}"; do ls node_modules/"$m"/build/Release/*.node >/dev/null 2>&1 || need+=("$m"); done
if ((${#need[@]})); then
  log "building native modules: ${need[*]}"
  # node-gyp directly, not `npm rebuild`: node-pty's postinstall would npx-fetch another node-gyp.
  for m in "${need[@]}"; do
    gyplog="$DIR/build-${m//\//_}.log"
    (cd "node_modules/$m" && node "$GYP" rebuild "${GYPDIR[@]}" >"$gyplog" 2>&1) || { cat "$gyplog" >&2; log "building $m failed"; exit 1; }
  done
fi
# What code-server's postinstall would have done besides installing: asar alias and CLI helper links.
[[ -e node_modules.asar ]] || ln -s node_modules node_modules.asar
ln -sfn code-server-linux.sh bin/remote-cli/code-server 2>/dev/null || true
ln -sfn browser-linux.sh bin/helpers/browser.sh 2>/dev/null || true

# Smoke check: the server entry point loads its native modules.
node -e "require('$DIR/node_modules/argon2'); for (const m of ['node-pty','@vscode/spdlog','native-watchdog']) require('$CS/lib/vscode/node_modules/'+m)"

echo "$VERSION recipe=$RECIPE" > "$STAMP"
log "ready at $DIR"
echo "$DIR"
