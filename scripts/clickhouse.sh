#!/usr/bin/env bash
# `make test-clickhouse`: Faultline against a real, distributed ClickHouse.
#
# Installs Debian's clickhouse-server when missing (bookworm ships 18.16: no
# Map, no DateTime64, so the table has plain columns and the test names them
# with --columns), starts two server processes on free loopback ports as the
# two shards of a Distributed table, loads the built-in sample's logs as rows
# split across the shards, and checks that the analysis through --clickhouse
# equals the analysis of the sample's files. Then the failures a user meets:
# a wrong password, a missing table, a server that is not there, columns
# that do not fit — each named, the other inputs still analyzed. The servers
# are stopped and their folders removed at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/clickhouse-cluster.sh

CARGO=${CARGO:-cargo}
ch_install
$CARGO build --quiet --bin faultline --bin faultline-rows
FL=$PWD/target/debug/faultline
ROWS=$PWD/target/debug/faultline-rows

WORK=$(mktemp -d /tmp/faultline-clickhouse.XXXXXX)
cleanup() { ch_stop; rm -rf "$WORK"; }
trap cleanup EXIT
ch_start "$WORK/cluster"
echo "clickhouse: two shards on 127.0.0.1:$CH_HTTP1 and :$CH_HTTP2 ($(ch_query "$CH_HTTP1" 'SELECT version()'))"

LOCAL="(ts DateTime, time_us UInt64, service String, host String, level String, status UInt16, message String)
    ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (ts, service)"
for port in "$CH_HTTP1" "$CH_HTTP2"; do
    ch_query "$port" "CREATE DATABASE logs"
    ch_query "$port" "CREATE TABLE logs.sample_local $LOCAL"
done
# The table the analysis reads: both shards through one Distributed table.
ch_query "$CH_HTTP1" "CREATE TABLE logs.sample AS logs.sample_local ENGINE = Distributed(faultline, logs, sample_local, rand())"

S=samples/archive-crash
"$ROWS" --tz +03:00 nginx=$S/nginx/access.log.1 nginx=$S/nginx/access.log \
    archive-portal=$S/app/archive-portal.log gunicorn=$S/app/gunicorn.log > "$WORK/rows.tsv"
awk 'NR % 2 == 1' "$WORK/rows.tsv" | ch_insert "$CH_HTTP1" logs.sample_local
awk 'NR % 2 == 0' "$WORK/rows.tsv" | ch_insert "$CH_HTTP2" logs.sample_local
echo "clickhouse: $(wc -l < "$WORK/rows.tsv") rows loaded: $(ch_query "$CH_HTTP1" 'SELECT count() FROM logs.sample_local') on shard 1, $(ch_query "$CH_HTTP2" 'SELECT count() FROM logs.sample_local') on shard 2"

OTHERS=(--deploys $S/deploys --support $S/support --alerts $S/alerts)
COLUMNS=time=time_us,message=message,level=level,status=status,service=service,host=host
URL="http://127.0.0.1:$CH_HTTP1/?database=logs"
export FAULTLINE_CLICKHOUSE_USER=default FAULTLINE_CLICKHOUSE_PASSWORD=faultline-test

"$FL" analyze --quiet --tz +03:00 --format json --logs $S/nginx --logs $S/app "${OTHERS[@]}" > "$WORK/files.json"
"$FL" analyze --tz +03:00 --format json --clickhouse "$URL" --table sample --columns "$COLUMNS" \
    --case "$WORK/store.faultline" "${OTHERS[@]}" > "$WORK/store.json" 2> "$WORK/store.err"
cat "$WORK/store.err"
python3 scripts/clickhouse_compare.py "$WORK/files.json" "$WORK/store.json"

fails=0
check() { # NAME COMMAND...: passes when the command succeeds
    local name=$1; shift
    if "$@" > "$WORK/check.out" 2>&1; then echo "ok - $name"; else echo "FAIL - $name"; cat "$WORK/check.out"; fails=$((fails + 1)); fi
}
absent() { ! grep -aq "$@"; }

# Citations name the table, the row and the query; nothing carries the password.
check "the onset is cited as the table's row (time, key, query)" \
    grep -q '"file": "clickhouse://127.0.0.1:'"$CH_HTTP1"'/logs.sample/nginx?time=2026-11-17T08:27:04.000000Z&key=[0-9]*&query=notable"' "$WORK/store.json"
check "the password is in neither the report nor the case" \
    absent faultline-test "$WORK/store.json" "$WORK/store.faultline" "$WORK/store.err"

# Re-analysis of the case uses the cached result and says so.
"$FL" analyze --tz +03:00 --format json --case "$WORK/store.faultline" > "$WORK/again.json" 2> "$WORK/again.err"
check "re-analysis says it uses the cached result" \
    grep -q "the result of the queries at .* is used (give --clickhouse again" "$WORK/again.err"
check "re-analysis of the cached result is the same analysis" \
    python3 scripts/clickhouse_compare.py "$WORK/files.json" "$WORK/again.json"

# Whole seconds: the same rows through the DateTime column.
"$FL" analyze --quiet --tz +03:00 --format json --clickhouse "$URL" --table sample \
    --columns "${COLUMNS/time=time_us/time=ts}" "${OTHERS[@]}" > "$WORK/seconds.json"
check "a DateTime (seconds) time column gives the same incident to the second" \
    python3 scripts/clickhouse_compare.py --seconds "$WORK/files.json" "$WORK/seconds.json"

# The engine's own test: a cited row fetched again with its neighbours (the desktop's raw lines).
check "a cited row is fetched again from the store with its neighbours" \
    env FAULTLINE_TEST_CLICKHOUSE_URL="$URL" $CARGO test --quiet -p faultline-engine --test clickhouse -- --ignored
# The desktop's "Add source → ClickHouse": the form's credentials, the grant, a reopened case.
check "the desktop adds the table as sources and a reopened case contacts no server" \
    env FAULTLINE_TEST_CLICKHOUSE_URL="$URL" FAULTLINE_TEST_CLICKHOUSE_PASSWORD=faultline-test \
    $CARGO test --quiet -p faultline-desktop-core --test clickhouse -- --ignored

# Failures name the source; the files are still analyzed.
expect_warning() { # NAME PATTERN ARGS...
    local name=$1 pattern=$2; shift 2
    local rc=0
    "$FL" analyze --tz +03:00 --format json "$@" "${OTHERS[@]}" > "$WORK/bad.json" 2> "$WORK/bad.err" || rc=$?
    if [ "$rc" = 0 ] && grep -q "$pattern" "$WORK/bad.err" && grep -q '"change_id": "861695c' "$WORK/bad.json"; then
        echo "ok - $name"
    else
        echo "FAIL - $name (exit $rc):"; cat "$WORK/bad.err"; fails=$((fails + 1))
    fi
}
expect_warning "a wrong password is named, the rest analyzed" \
    "clickhouse://127.0.0.1:$CH_HTTP1/logs.sample: the server refused the credentials" \
    --clickhouse "http://default:wrong@127.0.0.1:$CH_HTTP1/?database=logs" --table sample --columns "$COLUMNS"
expect_warning "a missing table is named" "logs.nosuch: no such table" \
    --clickhouse "$URL" --table nosuch --columns "$COLUMNS"
DEAD=$(ch_free_port)
expect_warning "an unreachable server is named" "clickhouse://127.0.0.1:$DEAD/logs.sample: cannot reach the server" \
    --clickhouse "http://127.0.0.1:$DEAD/?database=logs" --table sample --columns "$COLUMNS"
expect_warning "the otel_logs default on a plain table names what is missing" \
    "time: no column Timestamp (the otel_logs default" --clickhouse "$URL" --table sample

if [ "$fails" != 0 ]; then
    echo "clickhouse: $fails check(s) failed"
    exit 1
fi
echo "clickhouse: the two-shard analysis equals the files'; 11 checks passed"
