#!/usr/bin/env bash
# End-to-end test of the desktop app. Builds the UI and the app, makes sure
# tauri-driver is installed, and runs tests/e2e/run.mjs under a virtual X
# display (the caller needs none). Screens are written to
# target/e2e-screenshots/ (FAULTLINE_SCREENSHOTS=DIR for elsewhere; `make
# screenshots` refreshes docs/screenshots/). Exits non-zero on any failure.
#
#   bash scripts/e2e.sh            # the test (debug build)
#   bash scripts/e2e.sh bench      # the desktop bench: release build, frame and chart times of several windows
#   SKIP_BUILD=1 bash scripts/e2e.sh   # reuse ui/dist and the built app
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

MODE="${1:-test}"
case "$MODE" in
    test) PROFILE=debug; PROFILE_FLAG=() ;;
    bench) PROFILE=release; PROFILE_FLAG=(--release) ;;
    *) echo "usage: scripts/e2e.sh [test|bench]" >&2; exit 2 ;;
esac
export FAULTLINE_E2E_MODE="$MODE"
export FAULTLINE_APP="${FAULTLINE_APP:-target/$PROFILE/faultline-desktop}"

bash scripts/deps.sh

if [ "${SKIP_BUILD:-0}" != "1" ]; then
    # The UI is embedded into the binary at compile time: build it first.
    bash scripts/ui.sh build
    # The scripted dialogs (FAULTLINE_E2E_DIALOGS) exist only in this test build.
    cargo build "${PROFILE_FLAG[@]}" -p faultline-desktop --features e2e-dialogs
fi
# The big-file step generates its 5-million-line log with the bench generator.
if [ ! -x target/debug/faultline-gen ]; then
    cargo build -p faultline-bench
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
    cargo install tauri-driver --locked
fi

# run.mjs stops tauri-driver itself (SIGTERM, so WebKitWebDriver exits with
# it); the trap covers the case where node itself dies first.
PIDFILE="$(mktemp -t faultline-e2e-driver.XXXXXX)"
cleanup() {
    if [ -s "$PIDFILE" ]; then
        pid="$(cat "$PIDFILE")"
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$PIDFILE"
}
trap cleanup EXIT

status=0
FAULTLINE_E2E_PIDFILE="$PIDFILE" \
    xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" \
    node tests/e2e/run.mjs || status=$?
exit "$status"
