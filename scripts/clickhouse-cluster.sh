#!/usr/bin/env bash
# Starts (or stops) a two-shard ClickHouse cluster on loopback for Faultline's
# tests and benchmarks: two clickhouse-server processes with their own data and
# config folders under $CH_ROOT, each knowing both as the shards of cluster
# `faultline`. Sourced by scripts/clickhouse.sh and bench/clickhouse.sh:
#
#   source scripts/clickhouse-cluster.sh
#   ch_install            # Debian's clickhouse-server when missing (as root)
#   ch_start DIR          # sets CH_HTTP1 CH_HTTP2 (HTTP ports) and CH_PIDS
#   ch_query PORT SQL     # runs SQL over HTTP, fails on a server error
#   ch_stop               # stops both and removes DIR
#
# Debian 12 ships ClickHouse 18.16: no Map, no DateTime64, no systemd needed.

ch_install() {
    if command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ]; then
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "clickhouse: clickhouse-server is missing; install Debian's package (apt-get install clickhouse-server) or run as root" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends clickhouse-server clickhouse-client >/dev/null 2>&1 \
        || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends clickhouse-server clickhouse-client >/dev/null; }
}

ch_bin() {
    if command -v clickhouse-server >/dev/null 2>&1; then command -v clickhouse-server; else echo /usr/sbin/clickhouse-server; fi
}

# A free TCP port on loopback (the kernel picks it; python3 is on every machine here).
ch_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

ch_config() { # DIR HTTP TCP INTERSERVER TCP_OF_SHARD1 TCP_OF_SHARD2
    local dir=$1
    mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
    cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog><size>10M</size><count>1</count></logger>
    <http_port>$2</http_port>
    <tcp_port>$3</tcp_port>
    <interserver_http_port>$4</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>256</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>50</max_concurrent_queries>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <remote_servers>
        <faultline>
            <shard><replica><host>127.0.0.1</host><port>$5</port><user>default</user><password>faultline-test</password></replica></shard>
            <shard><replica><host>127.0.0.1</host><port>$6</port><user>default</user><password>faultline-test</password></replica></shard>
        </faultline>
    </remote_servers>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
</yandex>
XML
    # The password is the test's, on a loopback-only server that lives for one run.
    cat > "$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage><load_balancing>random</load_balancing></default></profiles>
    <users>
        <default>
            <password>faultline-test</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

ch_start() { # ROOT
    CH_ROOT=$1
    mkdir -p "$CH_ROOT"
    local h1 t1 i1 h2 t2 i2
    h1=$(ch_free_port); t1=$(ch_free_port); i1=$(ch_free_port)
    h2=$(ch_free_port); t2=$(ch_free_port); i2=$(ch_free_port)
    ch_config "$CH_ROOT/shard1" "$h1" "$t1" "$i1" "$t1" "$t2"
    ch_config "$CH_ROOT/shard2" "$h2" "$t2" "$i2" "$t1" "$t2"
    CH_PIDS=()
    local bin; bin=$(ch_bin)
    for s in shard1 shard2; do
        (cd "$CH_ROOT/$s" && exec "$bin" --config-file="$CH_ROOT/$s/config.xml" </dev/null >"$CH_ROOT/$s/log/stdout.log" 2>&1) &
        CH_PIDS+=($!)
    done
    echo "${CH_PIDS[*]}" > "$CH_ROOT/pids"
    CH_HTTP1=$h1; CH_HTTP2=$h2
    CH_USER=default; CH_PASSWORD=faultline-test
    local port
    for port in "$h1" "$h2"; do
        local up=0
        for _ in $(seq 1 150); do
            if curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; then up=1; break; fi
            sleep 0.2
        done
        if [ "$up" != 1 ]; then
            echo "clickhouse: the server on port $port did not start; its log:" >&2
            tail -n 30 "$CH_ROOT"/shard*/log/*.log >&2 || true
            return 1
        fi
    done
}

ch_query() { # PORT SQL [stdin for INSERT]
    local port=$1 sql=$2 out
    if ! out=$(curl -sS --fail-with-body -u "$CH_USER:$CH_PASSWORD" "http://127.0.0.1:$port/" --data-binary @- <<<"$sql" 2>&1); then
        echo "clickhouse: query failed on port $port: $sql" >&2
        echo "$out" >&2
        return 1
    fi
    [ -z "$out" ] || echo "$out"
}

# A large answer straight into FILE (ch_query holds its answer in memory).
ch_export() { # PORT SQL FILE
    local port=$1 sql=$2 file=$3 status
    status=$(curl -sS -o "$file" -w '%{http_code}' -u "$CH_USER:$CH_PASSWORD" "http://127.0.0.1:$port/" --data-binary @- <<<"$sql")
    if [ "$status" != 200 ] || tail -c 300 "$file" | grep -q 'DB::Exception'; then
        echo "clickhouse: export failed on port $port (HTTP $status): $(tail -c 300 "$file")" >&2
        return 1
    fi
}

# INSERT with the rows on stdin (TabSeparated).
ch_insert() { # PORT TABLE
    local port=$1 table=$2 out
    if ! out=$(curl -sS --fail-with-body -u "$CH_USER:$CH_PASSWORD" \
        "http://127.0.0.1:$port/?query=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "INSERT INTO $table FORMAT TabSeparated")" \
        --data-binary @- 2>&1); then
        echo "clickhouse: insert into $table on port $port failed" >&2
        echo "$out" >&2
        return 1
    fi
}

ch_stop() {
    [ -n "${CH_ROOT:-}" ] || return 0
    local pid
    for pid in ${CH_PIDS[@]+"${CH_PIDS[@]}"}; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in ${CH_PIDS[@]+"${CH_PIDS[@]}"}; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$CH_ROOT"
    CH_ROOT=
}
