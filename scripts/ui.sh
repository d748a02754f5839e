#!/usr/bin/env bash
# Installs ui/'s npm packages when missing, then builds or tests the UI.
set -euo pipefail
cd "$(dirname "$0")/../ui"
if [ ! -d node_modules ] || [ package.json -nt node_modules ] || [ package-lock.json -nt node_modules ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  touch node_modules
fi
case "${1:-build}" in
  build) npm run build ;;
  test) npm test ;;
  *) echo "usage: scripts/ui.sh build|test" >&2; exit 2 ;;
esac
