#!/usr/bin/env bash
# Renders the Marketplace icon (media/icon.png, 128×128) from media/innerloop.svg with headless chromium:
# the same loop, white on a rounded square (the activity-bar SVG stays monochrome so VS Code can tint it).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
paths=$(sed -n '/<path\|<circle/p' media/innerloop.svg)
cat >"$tmp/icon.html" <<HTML
<!doctype html><html><body style="margin:0;background:transparent">
<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 24 24">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#2f7de1"/><stop offset="1" stop-color="#1b4f9c"/></linearGradient></defs>
  <rect x="0.5" y="0.5" width="23" height="23" rx="5" fill="url(#g)"/>
  <g transform="translate(2.4 2.4) scale(0.8)" fill="none" stroke="#ffffff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
$paths
  </g>
</svg></body></html>
HTML
"${INNERLOOP_CHROMIUM:-chromium}" --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=128,128 --screenshot="$tmp/icon.png" "file://$tmp/icon.html" >/dev/null 2>&1
cp "$tmp/icon.png" media/icon.png
echo "media/icon.png: $(stat -c %s media/icon.png) bytes"
