# Faultline: the two commands of the quick start are `make run` and `make test`.
# Both install what is missing (Debian packages for Tauri/WebKitGTK and Xvfb,
# npm packages for ui/) so they work on a fresh Debian 12 machine as root.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
# A CI run builds once: incremental caches would only take disk.
ifneq ($(CI),)
export CARGO_INCREMENTAL ?= 0
endif

.PHONY: help deps room ui run cli lint test test-core test-ui test-desktop bindings e2e screenshots fuzz-smoke bench test-clickhouse bench-clickhouse package test-package icons

help:
	@echo "make run    - analyze the built-in sample incident (CLI), then open the desktop app on it when a display exists"
	@echo "make test   - every test: the fast tier (fmt, clippy, type check), then Rust unit + integration + scenario suites, UI unit tests, desktop end-to-end"
	@echo "make lint   - the fast tier alone: rustfmt, clippy -D warnings, TypeScript type check"
	@echo "make e2e    - the desktop end-to-end tests alone (headless, under Xvfb)"
	@echo "make screenshots - the end-to-end run that refreshes the README's screenshots in docs/screenshots"
	@echo "make fuzz-smoke - a few seconds of every fuzz target (FUZZ_SECS=N for longer)"
	@echo "make bench  - the ingest/search benchmarks against ripgrep and lnav, and the desktop's frame and chart times"
	@echo "make package - the .deb and .rpm (app, CLI, desktop entry, icons, .faultline file type) in target/release/bundle/"
	@echo "make test-package - build the .deb, install it with apt-get, drive the installed app under Xvfb, remove it (root or sudo; not in make test)"

deps:
	@bash scripts/deps.sh

room:
	@bash scripts/room.sh

ui: deps
	@bash scripts/ui.sh build

cli:
	$(CARGO) build --release --bin faultline

run: deps ui cli
	./target/release/faultline analyze --format md
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		$(CARGO) run -p faultline-desktop -- --sample; \
	else \
		echo "(no display: the desktop app was not opened; the analysis above is the CLI's)"; \
	fi

# The fast tier: seconds, and it fails before the slow suites run. Clippy
# covers the desktop package too, which needs WebKitGTK (deps) and the built UI.
lint: deps ui
	$(CARGO) fmt --all --check
	cd fuzz && $(CARGO) fmt --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	npm --prefix ui run check

test-core:
	$(CARGO) test --workspace --exclude faultline-desktop --no-fail-fast

test-ui: ui
	@bash scripts/ui.sh test

# The desktop shell compiles (the UI is embedded at compile time, so it is
# built first). Its session, grants and IPC types are tested without a window
# in faultline-desktop-core, part of test-core.
test-desktop: deps ui
	$(CARGO) test -p faultline-desktop

# The TypeScript IPC types are generated from Rust by the tests above; the
# committed copies must match, or UI and core have drifted.
bindings:
	@if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$$(git status --porcelain -- ui/src/ipc/bindings)" ]; then \
		echo "ui/src/ipc/bindings differ from what the Rust types generate: commit the regenerated files"; \
		git status --short -- ui/src/ipc/bindings; exit 1; fi

e2e: deps ui
	@bash scripts/e2e.sh

screenshots: deps ui
	@FAULTLINE_SCREENSHOTS=docs/screenshots bash scripts/e2e.sh

# A few seconds of libFuzzer per parser and detector, seeded with fuzz/corpus/.
fuzz-smoke:
	@bash scripts/fuzz-smoke.sh

# The analysis straight from a two-shard ClickHouse cluster (Debian's
# clickhouse-server, installed when missing) must equal the files' analysis.
test-clickhouse:
	@bash scripts/clickhouse.sh

# The .deb and .rpm through the Tauri bundler (npm @tauri-apps/cli): a release
# build of the app and the CLI. No AppImage: its tools are a download from
# outside the package registries.
package:
	@bash scripts/package.sh

# Installs the .deb (root or sudo), drives the installed app, removes it.
# Not part of `make test`: it needs a release build of the app and the CLI on
# top of the debug ones (a second full compile from a clean clone) and it
# installs a system package, which a CI runner or a developer's machine should
# not get from `make test` (docs/install.md).
test-package: package
	@bash scripts/package-test.sh

# Every icon in icons/ from icons/faultline.svg (tauri icon); the outputs are committed.
icons:
	@bash scripts/icons.sh

test: deps room lint test-core test-ui test-desktop bindings e2e fuzz-smoke test-clickhouse

bench: cli
	@bash bench/run.sh
	@bash scripts/e2e.sh bench
	@bash bench/clickhouse.sh

# The ClickHouse row of the benchmarks alone (ROWS=N rows across two shards).
bench-clickhouse: cli
	@bash bench/clickhouse.sh
