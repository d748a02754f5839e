#!/usr/bin/env bash
# System packages the desktop app needs to build (WebKitGTK 4.1, GTK 3) and the
# e2e test needs to run (Xvfb, WebKitWebDriver, xclip to read back what the app copied). Idempotent: does nothing when
# everything is already present. Debian/Ubuntu only.
#
# dbus-x11 is deliberately not installed: WebKitGTK works without a session bus
# under Xvfb, and dbus-x11 drags in an X session launcher we do not want.
set -euo pipefail

have_all() {
    pkg-config --exists webkit2gtk-4.1 2>/dev/null \
        && pkg-config --exists gtk+-3.0 2>/dev/null \
        && command -v Xvfb >/dev/null 2>&1 \
        && command -v xvfb-run >/dev/null 2>&1 \
        && command -v WebKitWebDriver >/dev/null 2>&1 \
        && command -v xclip >/dev/null 2>&1
}

if have_all; then
    echo "deps.sh: system dependencies already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y \
    libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev \
    build-essential pkg-config xvfb xauth webkit2gtk-driver xclip

have_all || { echo "deps.sh: dependencies still missing after install" >&2; exit 1; }
echo "deps.sh: done"
