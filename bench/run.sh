#!/usr/bin/env bash
# Faultline's benchmarks (`make bench`): generates the data sets deterministically
# into bench-data/, runs Faultline, ripgrep and lnav side by side and prints ONE
# Markdown table (median wall time of 5 runs, MB/s, peak RSS, ratio to each peer).
# Peers missing from the machine are installed from Debian when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DATA=bench-data
FL=./target/release/faultline
GEN=./target/release/faultline-gen
mkdir -p "$DATA"

need=()
command -v rg >/dev/null || need+=(ripgrep)
command -v lnav >/dev/null || need+=(lnav)
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get install -y "${need[@]}" || { apt-get update && apt-get install -y "${need[@]}"; }) >/dev/null 2>&1 || true
    else
        echo "bench: missing ${need[*]} (run as root to install them from Debian)" >&2
    fi
fi
command -v hyperfine >/dev/null || { echo "bench: hyperfine is required" >&2; exit 2; }

cargo build --release --quiet --bin faultline --bin faultline-gen
cargo build --release --quiet -p faultline-engine --example reanalysis
[ -x "$FL" ] || { echo "bench: $FL missing" >&2; exit 2; }

# The generator is deterministic: 5,000,000 lines = one day; the 1M file is its prefix.
BIG=$DATA/access-5m.log
SMALL=$DATA/access-1m.log
WANT_SHA=$DATA/.access-5m.lines
if [ ! -s "$BIG" ] || [ "$(cat "$WANT_SHA" 2>/dev/null)" != "5000000 $(stat -c %s "$BIG")" ]; then
    echo "bench: generating $BIG" >&2
    "$GEN" access 5000000 > "$BIG"
    head -n 1000000 "$BIG" > "$SMALL"
    echo "5000000 $(stat -c %s "$BIG")" > "$WANT_SHA"
fi
[ -s "$SMALL" ] || head -n 1000000 "$BIG" > "$SMALL"
# An outage log that is mostly errors: the 1M file with every 200 turned into a 503.
FLOOD=$DATA/access-1m-flood.log
[ -s "$FLOOD" ] && [ "$FLOOD" -nt "$SMALL" ] || sed 's/" 200 /" 503 /' "$SMALL" > "$FLOOD"
# An application log that is 90 % errors all day (read in one piece, not in chunks).
APPFLOOD=$DATA/app-1m-flood.log
[ -s "$APPFLOOD" ] && [ "$APPFLOOD" -nt "$GEN" ] || "$GEN" app-flood 1000000 > "$APPFLOOD"
# A config repository with years of history (50,000 commits, one every 30 minutes, the last
# 30 s before the incident): only the look-back around the logs is walked.
REPO=$DATA/config-repo-50k
if [ ! -d "$REPO/.git" ] || [ "$REPO/.git" -ot "$GEN" ]; then
    rm -rf "$REPO"
    git init -q -b main "$REPO"
    "$GEN" repo 50000 | git -C "$REPO" fast-import --quiet
fi
CASE=$DATA/bench.faultline
rm -f "$CASE" "$CASE-wal" "$CASE-shm"
"$FL" analyze --quiet --tz UTC --format json --case "$CASE" "$BIG" > /dev/null
NEEDLE='/api/orders/79720 '
WINDOW=(--from 2026-11-24T02:30:00Z --to 2026-11-24T02:40:00Z)

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
mb() { echo $(( $(stat -c %s "$1") / 1000000 )); }

# row NAME BYTES-FILE CMD...: median of $RUNS (hyperfine), peak RSS of one more run.
row() {
    local name=$1 file=$2; shift 2
    local cmd
    cmd=$(printf '%q ' "$@")
    hyperfine --style none --warmup 1 --runs "$RUNS" -N --ignore-failure --export-csv "$OUT/h.csv" -- "$cmd" >/dev/null 2>&1 \
        || hyperfine --style none --warmup 1 --runs "$RUNS" --ignore-failure --export-csv "$OUT/h.csv" -- "$cmd" >/dev/null 2>&1
    local median rss
    median=$(awk -F, 'NR==2 {printf "%.3f", $4}' "$OUT/h.csv")
    /usr/bin/time -o "$OUT/rss" -f %M "$@" >/dev/null 2>&1 || true
    rss=$(tail -1 "$OUT/rss")
    echo "$name|$median|$(mb "$file")|$rss" >> "$OUT/rows"
}

row "ingest+analyze 5M:faultline" "$BIG" "$FL" analyze --quiet --tz UTC --format json "$BIG"
row "ingest+analyze 5M:rg -c '\" 500 '" "$BIG" rg -c '" 500 ' "$BIG"
row "ingest+analyze 1M:faultline" "$SMALL" "$FL" analyze --quiet --tz UTC --format json "$SMALL"
row "ingest+analyze 1M:rg -c '\" 500 '" "$SMALL" rg -c '" 500 ' "$SMALL"
row "ingest+analyze 1M + 50k-commit repo:faultline" "$SMALL" "$FL" analyze --quiet --tz UTC --format json "$SMALL" "$REPO"
if command -v lnav >/dev/null; then
    row "ingest+analyze 1M:lnav" "$SMALL" lnav -n -c ';SELECT count(*) FROM access_log WHERE sc_status >= 500' "$SMALL"
fi
row "flood 1M (93 % 5xx):faultline" "$FLOOD" "$FL" analyze --quiet --tz UTC --format json "$FLOOD"
row "flood 1M (93 % 5xx):rg -c '\" 503 '" "$FLOOD" rg -c '" 503 ' "$FLOOD"
row "app-log flood 1M (90 % errors):faultline" "$APPFLOOD" "$FL" analyze --quiet --tz UTC --format json "$APPFLOOD"
row "app-log flood 1M (90 % errors):rg -c ' ERROR '" "$APPFLOOD" rg -c ' ERROR ' "$APPFLOOD"
row "search literal 5M:faultline (--case)" "$BIG" "$FL" search --quiet --tz UTC -F "$NEEDLE" --case "$CASE"
row "search literal 5M:faultline (file)" "$BIG" "$FL" search --quiet --tz UTC -F "$NEEDLE" "$BIG"
row "search literal 5M:rg -F" "$BIG" rg -F "$NEEDLE" "$BIG"
row "re-analyze unchanged case:faultline" "$BIG" "$FL" analyze --quiet --tz UTC --format json --case "$CASE"
row "10-min window 5M:faultline --from/--to" "$BIG" "$FL" analyze --quiet --tz UTC --format json "${WINDOW[@]}" "$BIG"
row "10-min window 5M:faultline --from/--to (--case)" "$BIG" "$FL" analyze --quiet --tz UTC --format json "${WINDOW[@]}" --case "$CASE"

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load before run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Command: make bench   (RUNS=$RUNS; data: faultline-gen access 5000000, 1M = its first 1,000,000 lines)"
echo
echo "| benchmark | tool | median (s) | MB/s | peak RSS (MiB) | vs rg | vs lnav |"
echo "|---|---|---:|---:|---:|---:|---:|"
awk -F'|' '
{ split($1, k, ":"); bench[NR]=k[1]; tool[NR]=k[2]; t[NR]=$2; mb[NR]=$3; rss[NR]=$4
  if (k[2] ~ /^rg/) rg[k[1]]=$2
  if (k[2] ~ /^lnav/) ln[k[1]]=$2 }
END {
  for (i = 1; i <= NR; i++) {
    b = bench[i]; r = (b in rg && rg[b] > 0) ? sprintf("%.1f×", t[i] / rg[b]) : "–"
    l = (b in ln && ln[b] > 0 && tool[i] !~ /^lnav/) ? sprintf("%.1f× faster", ln[b] / t[i]) : "–"
    if (tool[i] ~ /^rg/) r = "1.0×"
    printf "| %s | %s | %.3f | %.0f | %.0f | %s | %s |\n", b, tool[i], t[i], (t[i] > 0 ? mb[i] / t[i] : 0), rss[i] / 1024, r, l
  }
}' "$OUT/rows"

echo
echo "The desktop's analysis once a case is read (median of 5, ms): the correlation, and an analysis"
echo "after a note or a pin, which reuses it (./target/release/examples/reanalysis FILE):"
echo
echo "| case | records | correlation | after a note | pin + analysis |"
echo "|---|---:|---:|---:|---:|"
for f in "$SMALL" "$FLOOD"; do
    r=$(./target/release/examples/reanalysis "$f" | sed -n 's/^REANALYSIS //p')
    v() { grep -o "\"$1\":[0-9.]*" <<<"$r" | cut -d: -f2; }
    echo "| $(basename "$f") | $(v records) | $(v correlation_ms) | $(v analysis_after_note_ms) | $(v pin_and_analysis_ms) |"
done
