#!/usr/bin/env bash
# Builds the Linux packages: target/release/bundle/deb/Faultline_<v>_amd64.deb
# and target/release/bundle/rpm/Faultline-<v>-1.x86_64.rpm, each carrying the
# desktop app (/usr/bin/faultline-desktop), the command-line tool
# (/usr/bin/faultline), the desktop entry, the icons and the .faultline file
# type. The Tauri bundler comes from npm (packaging/package.json, prebuilt);
# the configuration is the "bundle" section of tauri.conf.json.
#
# AppImage is not built: the bundler downloads its linuxdeploy tools from
# outside the package registries at build time, which this machine and CI
# cannot reach.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/deps.sh
bash scripts/packaging-cli.sh

# The command-line tool the packages put on the PATH (tauri.conf.json's
# deb/rpm "files" take it from here): release, like the app.
cargo build --release -p faultline-cli --bin faultline

# `tauri build` runs beforeBuildCommand (the UI, embedded at compile time;
# its "cwd" is relative to tauri.conf.json's folder, wherever the CLI decides
# the frontend lives), then `cargo build --release --bins --features
# tauri/custom-protocol` plus what follows `--`: the desktop is the root
# package but not a default member, so it is named.
packaging/node_modules/.bin/tauri build --ci --bundles deb,rpm -- -p faultline-desktop

version="$(target/release/faultline --version | awk '{print $2}')"
ls -l target/release/bundle/deb/Faultline_"${version}"_*.deb target/release/bundle/rpm/Faultline-"${version}"-*.rpm
