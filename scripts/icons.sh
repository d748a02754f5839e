#!/usr/bin/env bash
# Regenerates every icon in icons/ from icons/faultline.svg with `tauri icon`
# (the Tauri CLI from packaging/, prebuilt from npm): the PNG sizes the Linux
# packages install into the hicolor theme, icon.icns for a macOS bundle and
# icon.ico for Windows installers. The outputs are committed; run this after
# changing the SVG (`make icons`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/packaging-cli.sh
TAURI="$ROOT/packaging/node_modules/.bin/tauri"
OUT="$(mktemp -d -t faultline-icons.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
# The default set (32, 64, 128, 128@2x, 512, .icns, .ico), then the other
# hicolor sizes menus and panels ask for.
"$TAURI" icon icons/faultline.svg -o "$OUT" >"$OUT/log" 2>&1 || { cat "$OUT/log" >&2; exit 1; }
"$TAURI" icon icons/faultline.svg -o "$OUT" --png 16,24,48,256 >"$OUT/log" 2>&1 || { cat "$OUT/log" >&2; exit 1; }
for f in 16x16.png 24x24.png 32x32.png 48x48.png 64x64.png 128x128.png 128x128@2x.png 256x256.png icon.png icon.icns icon.ico; do
    cp "$OUT/$f" "icons/$f"
done
echo "icons.sh: icons/ regenerated from icons/faultline.svg"
