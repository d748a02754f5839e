#!/usr/bin/env bash
# Tests the .deb that scripts/package.sh built, the way a user gets it:
# `apt-get install ./Faultline_<v>_<arch>.deb` on this machine, then what the
# package put there (the two commands, the desktop entry, the icons, the
# .faultline file type), then the installed app under Xvfb through
# tauri-driver and WebKitWebDriver on the sample incident's case
# (tests/e2e/package.mjs), then `apt-get remove` and what that leaves.
#
# It installs a system package, so it runs as root (CI) or through sudo. A
# Faultline package already installed is removed first (and said so): the
# test must exercise the package just built, not a leftover.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# The one version: [workspace.package] in Cargo.toml.
version="$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)"
deb="$ROOT/target/release/bundle/deb/Faultline_${version}_$(dpkg --print-architecture).deb"
if [ ! -f "$deb" ]; then
    echo "package-test: $deb does not exist: run make package first" >&2
    exit 1
fi

bash scripts/deps.sh
# What every desktop has and a bare Debian lacks: desktop-file-utils, whose
# dpkg trigger indexes the package's desktop entry by MIME type (the
# mimeinfo.cache GLib reads to find the application for a file type).
if ! command -v update-desktop-database >/dev/null 2>&1; then
    $SUDO apt-get update
    $SUDO apt-get install -y desktop-file-utils
fi
if ! command -v tauri-driver >/dev/null 2>&1; then
    cargo install tauri-driver --locked
fi

passed=0
failed=0
check() {
    local what="$1"
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "package-test: ok   $what"
    else
        failed=$((failed + 1))
        echo "package-test: FAIL $what" >&2
    fi
}
installed() { dpkg-query -W -f='${Status}' faultline 2>/dev/null | grep -q "install ok installed"; }

TMP="$(mktemp -d -t faultline-package-test.XXXXXX)"
PIDFILE="$TMP/driver.pid"
cleanup() {
    if [ -s "$PIDFILE" ]; then
        pid="$(cat "$PIDFILE")"
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
    fi
    if installed; then $SUDO apt-get remove -y faultline >/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

if installed; then
    echo "package-test: removing the Faultline package installed before this test (reinstall it with apt-get install $deb)"
    $SUDO apt-get remove -y faultline
fi

# ---- install ------------------------------------------------------------------
# The dependencies the package declares (WebKitGTK, GTK) are installed by
# deps.sh already, so this needs no download.
$SUDO apt-get install -y "$deb"
check "the package is installed" installed

expected_files=(
    /usr/bin/faultline
    /usr/bin/faultline-desktop
    /usr/share/applications/Faultline.desktop
    /usr/share/mime/packages/faultline.xml
    /usr/share/doc/faultline/copyright
    /usr/share/icons/hicolor/scalable/apps/faultline-desktop.svg
    /usr/share/icons/hicolor/scalable/mimetypes/application-x-faultline.svg
)
for size in 16 24 32 48 64 128 256 512; do
    expected_files+=("/usr/share/icons/hicolor/${size}x${size}/apps/faultline-desktop.png")
done
listed="$(dpkg -L faultline)"
for f in "${expected_files[@]}"; do
    check "the package installs $f" bash -c '[ -s "$1" ] && grep -qxF "$1" <<<"$2"' _ "$f" "$listed"
done

# The icon theme picks an icon by its folder (48x48, 128x128@2 for a
# 256-pixel image at scale 2): an image of another size there is drawn
# blurred or cut off in menus and panels.
icons_fit_their_folders() {
    local f folder n scale size ok=0
    while IFS= read -r f; do
        folder="$(basename "$(dirname "$(dirname "$f")")")"
        n="${folder%%x*}"
        scale=1
        case "$folder" in *@*) scale="${folder##*@}" ;; esac
        size="$(od -An -tu4 --endian=big -j16 -N8 "$f" | awk '{print $1 "x" $2}')"
        if [ "$size" != "$((n * scale))x$((n * scale))" ]; then
            echo "package-test: $f is $size, its folder $folder asks for $((n * scale)) pixels" >&2
            ok=1
        fi
    done < <(grep -E '^/usr/share/icons/hicolor/[^/]+/apps/.*\.png$' <<<"$listed")
    return "$ok"
}
check "every installed icon is the size its hicolor folder names" icons_fit_their_folders

check "faultline --version from the package says $version" \
    bash -c '[ "$(/usr/bin/faultline --version)" = "faultline $1" ]' _ "$version"
check "faultline-desktop --version says $version (without a display)" \
    bash -c '[ "$(env -u DISPLAY -u WAYLAND_DISPLAY /usr/bin/faultline-desktop --version)" = "faultline-desktop $1" ]' _ "$version"

desktop=/usr/share/applications/Faultline.desktop
check "the desktop entry is valid" desktop-file-validate "$desktop"
check "the desktop entry passes the opened file to the app" grep -qx 'Exec=faultline-desktop %f' "$desktop"
check "the desktop entry handles .faultline cases" grep -qx 'MimeType=application/x-faultline;' "$desktop"
check "the desktop entry's icon is the installed one" grep -qx 'Icon=faultline-desktop' "$desktop"

# ---- the sample incident's case, made by the installed CLI -----------------------
CASE="$TMP/The Archive crash.faultline"
check "the installed CLI analyzes the sample into a case" \
    /usr/bin/faultline analyze --quiet --case "$CASE" --format json --out "$TMP/analysis.json"
check "the CLI's top suspect is the 11:20 (+03:00) config push" node -e '
    const a = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const top = (a.suspects ?? [])[0];
    const minute = top && Math.floor(Date.parse(top.time) / 60000) * 60000;
    process.exit(top && top.score >= 0.5 && minute === Date.parse("2026-11-17T11:20:00+03:00") ? 0 : 1);' "$TMP/analysis.json"
check "the MIME database names a .faultline file application/x-faultline" \
    bash -c 'gio info -a standard::content-type "$1" | grep -q "standard::content-type: application/x-faultline"' _ "$CASE"
check "GLib's default application for application/x-faultline is Faultline" \
    bash -c 'gio mime application/x-faultline | grep -q "Faultline.desktop"'

# ---- the installed app ----------------------------------------------------------
# package.mjs stops tauri-driver itself (SIGTERM); the trap covers node dying first.
if FAULTLINE_CASE="$CASE" FAULTLINE_VERSION="$version" FAULTLINE_E2E_PIDFILE="$PIDFILE" \
    xvfb-run -a -s "-screen 0 1600x1000x24 -nolisten tcp" node tests/e2e/package.mjs; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "package-test: FAIL the installed app (tests/e2e/package.mjs)" >&2
fi

# ---- remove ---------------------------------------------------------------------
$SUDO apt-get remove -y faultline
check "the package is removed" bash -c '! dpkg-query -W -f="\${Status}" faultline 2>/dev/null | grep -q "install ok installed"'
check "neither command is left on the PATH" bash -c '[ ! -e /usr/bin/faultline ] && [ ! -e /usr/bin/faultline-desktop ]'
check "a .faultline file is no longer application/x-faultline" \
    bash -c '! gio info -a standard::content-type "$1" | grep -q "application/x-faultline"' _ "$CASE"

echo "package-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
