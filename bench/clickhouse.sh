#!/usr/bin/env bash
# The ClickHouse row of `make bench` (also `make bench-clickhouse`): ROWS nginx
# access-log rows (default 50,000,000: one day, a 30-minute burst of 500s on
# /api/checkout at 02:30) generated inside a two-shard cluster, analyzed
# through --clickhouse, against the same lines read from a file. Prints one
# Markdown table: median wall time of RUNS runs, bytes received, peak RSS.
#
# The time column is the table's sort key (`ts`, whole seconds as the access
# lines): a time column outside the key makes every page scan the table.
# The data is made by the servers themselves (INSERT … SELECT FROM numbers()),
# and the file by the same expression streamed out in order, so both hold the
# same records. Disk: about 105 bytes a row for the file and 15 for the
# store; ROWS is lowered to what fits when the disk is short, and everything
# is deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/clickhouse-cluster.sh
ROWS=${ROWS:-50000000}
RUNS=${RUNS:-3}
DATA=bench-data
FL=$PWD/target/release/faultline
mkdir -p "$DATA"

avail_mb=$(df -Pm "$DATA" | awk 'NR == 2 {print $4}')
# Keep 3 GB free for the others on this disk; stay under 10 GB of data.
budget_mb=$(( avail_mb - 3000 < 10000 ? avail_mb - 3000 : 10000 ))
fit=$(( budget_mb * 1000000 / 125 ))
if [ "$fit" -lt "$ROWS" ]; then
    echo "bench-clickhouse: $ROWS rows need ~$(( ROWS * 125 / 1000000 )) MB; ${avail_mb} MB free: measuring $fit rows" >&2
    ROWS=$fit
fi
ch_install
cargo build --release --quiet --bin faultline
WORK=$(mktemp -d "$PWD/$DATA/clickhouse.XXXXXX")
cleanup() { ch_stop; rm -rf "$WORK"; }
trap cleanup EXIT
ch_start "$WORK/cluster"

# One day from 2026-11-24T00:00:00Z, the clock advancing evenly per row.
T="(1795478400000000 + intDiv(toUInt64(number) * 86400000000, $ROWS))"
H="cityHash64(number)"
PATH_I="($H % 6)"
IN_BURST="($T >= 1795487400000000 AND $T < 1795489200000000)"
STATUS="multiIf($IN_BURST AND $PATH_I = 2, 500, $H % 997 = 5, 503, $H % 50 = 0, 404, 200)"
URLPATH="arrayElement(['/', '/api/cart', '/api/checkout', '/api/search?q=shoes', '/static/app.js', concat('/api/orders/', toString($H % 100000))], toUInt32($PATH_I + 1))"
METHOD="if($PATH_I = 2, 'POST', 'GET')"
CLIENT="IPv4NumToString(toUInt32(167772160 + ($H % 5000)))"
UA="arrayElement(['Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', 'curl/8.5.0', 'Go-http-client/1.1'], toUInt32(intDiv($H, 7) % 3 + 1))"
LINE="concat($CLIENT, ' - - [24/Nov/2026:', substring(toString(toDateTime(intDiv($T, 1000000))), 12, 8), ' +0000] \"', $METHOD, ' ', $URLPATH, ' HTTP/1.1\" ', toString($STATUS), ' ', toString($H % 20000), ' \"-\" \"', $UA, '\"')"
LEVEL="multiIf($STATUS >= 500, 'error', $STATUS >= 400, 'warn', 'info')"

LOCAL="(ts DateTime, time_us UInt64, service String, host String, level String, status UInt16, message String)
    ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (ts, service)"
for port in "$CH_HTTP1" "$CH_HTTP2"; do
    ch_query "$port" "CREATE DATABASE logs"
    ch_query "$port" "CREATE TABLE logs.access_local $LOCAL"
done
ch_query "$CH_HTTP1" "CREATE TABLE logs.access AS logs.access_local ENGINE = Distributed(faultline, logs, access_local, rand())"
start=$(date +%s)
mkdir -p "$WORK/web"
shard=0
for port in "$CH_HTTP1" "$CH_HTTP2"; do
    ch_query "$port" "INSERT INTO logs.access_local SELECT toDateTime(intDiv($T, 1000000)), $T, 'web', '', $LEVEL, $STATUS, $LINE FROM numbers($ROWS) WHERE number % 2 = $shard"
    shard=$((shard + 1))
done
ch_export "$CH_HTTP1" "SELECT $LINE FROM numbers($ROWS) FORMAT TabSeparatedRaw" "$WORK/web/access.log"
lines=$(wc -l < "$WORK/web/access.log")
[ "$lines" = "$ROWS" ] || { echo "bench-clickhouse: the file has $lines lines, not $ROWS" >&2; exit 1; }
echo "bench-clickhouse: $ROWS rows generated in $(( $(date +%s) - start )) s: file $(( $(stat -c %s "$WORK/web/access.log") / 1000000 )) MB, store $(ch_query "$CH_HTTP1" "SELECT intDiv(sum(bytes), 1000000) FROM system.parts WHERE active AND table = 'access_local'") + $(ch_query "$CH_HTTP2" "SELECT intDiv(sum(bytes), 1000000) FROM system.parts WHERE active AND table = 'access_local'") MB" >&2

export FAULTLINE_CLICKHOUSE_USER=$CH_USER FAULTLINE_CLICKHOUSE_PASSWORD=$CH_PASSWORD
STORE=(analyze --tz UTC --format json --clickhouse "http://127.0.0.1:$CH_HTTP1/?database=logs" --table access
    --columns time=ts,message=message,level=level,status=status,service=service,host=host --clickhouse-timeout 600
    --case "$WORK/store.faultline")
FILE=(analyze --quiet --tz UTC --format json "$WORK/web/access.log")

# measure NAME ARGS...: median seconds of RUNS, the largest peak RSS (MiB).
measure() {
    local name=$1; shift
    local times=() rss=0
    for _ in $(seq 1 "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$WORK/time" "$FL" "$@" > "$WORK/$name.json" 2> "$WORK/$name.err"
        read -r t m < <(tail -1 "$WORK/time")
        times+=("$t")
        [ "$m" -gt "$rss" ] && rss=$m
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$median $(( rss / 1024 ))"
}
read -r store_s store_rss < <(measure store "${STORE[@]}")
bytes=$(grep -o '[0-9]* bytes' "$WORK/store.err" | tail -1 | cut -d' ' -f1)
shipped=$(grep -o 'fetched as [0-9]* rows' "$WORK/store.err" | tail -1 | cut -d' ' -f3)
read -r file_s file_rss < <(measure file "${FILE[@]}")
file_mb=$(( $(stat -c %s "$WORK/web/access.log") / 1000000 ))
same=no
python3 scripts/clickhouse_compare.py --seconds "$WORK/file.json" "$WORK/store.json" > "$WORK/compare" 2>&1 && same=yes

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load before run: $(cut -d' ' -f1-3 /proc/loadavg); ClickHouse $(ch_query "$CH_HTTP1" 'SELECT version()'), two shards on this machine"
echo "Command: make bench-clickhouse   (ROWS=$ROWS RUNS=$RUNS)"
echo
echo "| analysis of $ROWS access-log rows | median (s) | bytes received / read | peak RSS (MiB) | same incident |"
echo "|---|---:|---:|---:|---|"
echo "| faultline --clickhouse (2 shards, $shipped rows shipped) | $store_s | $bytes | $store_rss | $same |"
echo "| faultline on the file ($file_mb MB) | $file_s | $(stat -c %s "$WORK/web/access.log") | $file_rss | – |"
echo
echo "Where the --clickhouse time went (the case's record of its queries):"
python3 - "$WORK/store.faultline" <<'PY'
import json, sqlite3, sys
for (d,) in sqlite3.connect(sys.argv[1]).execute("SELECT descriptor FROM store_queries"):
    for q in json.loads(d)["queries"]:
        print(f"- {q['what']}: {q['seconds']:.2f} s, {q['rows']} rows")
PY
if [ "$same" != yes ]; then
    cat "$WORK/compare" >&2
fi
