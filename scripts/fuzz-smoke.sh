#!/usr/bin/env bash
# A short libFuzzer run of every fuzz target, seeded with fuzz/corpus/<target>/.
# Exits non-zero when a target crashes (the crashing input is left in
# fuzz/artifacts/<target>/). The machine has stable Rust only: cargo-fuzz
# needs nightly flags (-Zsanitizer), which RUSTC_BOOTSTRAP=1 unlocks.
#
#   scripts/fuzz-smoke.sh            # every target, FUZZ_SECS (default 5) seconds each
#   scripts/fuzz-smoke.sh log_parse  # one target
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
secs="${FUZZ_SECS:-5}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! cargo fuzz build -O >/dev/null 2>&1 && ! cargo fuzz build -O; then
    bash ../scripts/room.sh report
    exit 1
fi
# Long enough to pass the detection sample (faultline_logs::SAMPLE_BYTES, 64 KiB)
# where detection is fuzzed; the parsers' record cap is set low inside the
# targets (512 bytes), so 8 KiB inputs reach it. libFuzzer grows inputs
# gradually: a large -max_len costs nothing until a mutation needs it.
max_len() {
    case "$1" in
        log_detect | source_detect | slack_folder) echo 70000 ;;
        case_file) echo 65536 ;;
        *) echo 8192 ;;
    esac
}
failed=()
for t in "${targets[@]}"; do
    mkdir -p "$work/$t" "corpus/$t"
    # New inputs go to a scratch folder: the committed corpus stays the minimized seeds.
    if cargo fuzz run -O "$t" "$work/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" >"$work/$t.log" 2>&1; then
        echo "fuzz-smoke: $t ok ($(grep -o 'Done [0-9]* runs' "$work/$t.log" | tail -1))"
    else
        echo "fuzz-smoke: $t FAILED" >&2
        grep -E "panicked|SUMMARY|Test unit written" "$work/$t.log" >&2 || tail -20 "$work/$t.log" >&2
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz-smoke: crashes in: ${failed[*]}" >&2
    exit 1
fi
