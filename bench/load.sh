#!/usr/bin/env bash
# Load benchmarks against the release build with the simulators on loopback (issue 4 §6), all in
# one run so the figures can be compared as ratios on this shared, noisy machine:
#   (a) GET /livez                                   the ceiling
#   (b) GET /v1/services/{code}?lang=ug               cached service guide in Uyghur
#   (c) GET /v1/home                                  every section cached
#   (d) GET /v1/home, caching off, gov simulator 20 ms  p50 and p99
#   (f) the floor under (d): the same three platform calls, made the same way (in one process
#       with the simulator, through Tongban's own client, concurrent requests joining the calls
#       under way) and nothing else: examples/home_floor.rs. What (d) would measure on this
#       machine if Tongban's own part cost nothing.
# and the server's peak RSS. Rate limits are off (one client address and one person).
# Usage: bench/load.sh            (DURATION=15s CONNECTIONS=32 SCENARIOS=abcdf by default;
#        SCENARIOS=df runs (d) and its floor alone; LATENCY_MS=0 takes the platform's 20 ms out
#        of (d) and (f), to see the round trips alone; TONGBAN_BIN=path runs that binary instead
#        of building, to compare two builds in one sitting, and FLOOR_BIN=path that floor;
#        SPLIT=1 adds one more ab run of (d) under a loopback capture and splits its latency
#        into the platform's answers and Tongban's part, on the wire: bench/latency-split.py)
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-15s}
connections=${CONNECTIONS:-32}
service=${SERVICE:-1165400001010031273000173007001}
scenarios=${SCENARIOS:-abcdf}
# wanted LETTER: whether the scenario is to run.
wanted() { [[ $scenarios == *$1* ]]; }

if ! command -v wrk > /dev/null || ! command -v ab > /dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk apache2-utils > /dev/null
fi
command -v jq > /dev/null || { apt-get update -qq && apt-get install -y -qq jq > /dev/null; }
bin=${TONGBAN_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/tongban"
fi
floor_bin=${FLOOR_BIN:-}
if wanted f && [ -z "$floor_bin" ]; then
  cargo build --release --quiet --example home_floor
  floor_bin="${CARGO_TARGET_DIR:-target}/release/examples/home_floor"
fi

work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

# start PORT [ENV=VALUE …]: a release server with its own data directory; waits until ready.
start() {
  local port=$1
  shift
  mkdir -p "$work/$port"
  env TONGBAN__LIMITS__PER_IP_PER_MINUTE=0 TONGBAN__LIMITS__PER_PERSON_PER_MINUTE=0 \
    TONGBAN__LIMITS__LOGINS_PER_IP_PER_MINUTE=0 TONGBAN__SHED__MAX_IN_FLIGHT=0 \
    TONGBAN__LOG__FILTER=warn "$@" \
    "$bin" serve --addr "127.0.0.1:$port" --data-dir "$work/$port" \
    > "$work/$port/server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server on $port did not start" >&2
  cat "$work/$port/server.log" >&2
  exit 1
}

# token PORT: logs in as the first demo citizen and binds her real name; prints the token.
token() {
  local base="http://127.0.0.1:$1" code token
  code=$(curl -fsS -X POST "$base/demo/wechat/login-code" | jq -r .code)
  token=$(curl -fsS -X POST "$base/v1/auth/wechat" -H 'Content-Type: application/json' \
    -d "{\"code\":\"$code\"}" | jq -r .accessToken)
  local citizen
  citizen=$(curl -fsS "$base/demo/citizens" | jq -c '.[0] | {name, idNumber}')
  curl -fsS -X POST "$base/v1/me/real-name" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$citizen" > /dev/null
  echo "$token"
}

# measure LABEL URL [HEADER]: one table row. Throughput from wrk, then latency percentiles
# from ab over the same duration and connections: wrk's own latency statistics are not
# consistent with its request count here (with one connection, its mean latency times its
# requests came to three times the run's length), ab's are (mean × requests = run length).
measure() {
  local label=$1 url=$2 header=${3:-}
  local args=(-t1 -c"$connections" -d"$duration")
  local ab_args=(-k -c"$connections" -t"${duration%s}" -n 100000000)
  if [ -n "$header" ]; then
    args+=(-H "$header")
    ab_args+=(-H "$header")
  fi
  curl -fsS ${header:+-H "$header"} "$url" > /dev/null   # warm the caches
  wrk "${args[@]}" "$url" > "$work/wrk.txt"
  ab "${ab_args[@]}" "$url" > "$work/ab.txt" 2>&1
  local rps non2xx ab_rps p50 p99 ab_failed
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  ab_rps=$(awk '/^Requests per second/ {print $4}' "$work/ab.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/ab.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/ab.txt")
  ab_failed=$(awk '/^Non-2xx responses/ {print $3}' "$work/ab.txt")
  printf '| %s | %s | %s | %s ms | %s ms | %s |\n' "$label" "$rps" "$ab_rps" "$p50" "$p99" \
    "$(( ${non2xx:-0} + ${ab_failed:-0} ))"
}

peak_rss() {
  awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"
}

start 18201
cached_pid=${pids[-1]}
cached_token=$(token 18201)
start 18202 TONGBAN__SIMULATORS__GOV_LATENCY_MS="${LATENCY_MS:-20}" TONGBAN__CACHE__CATALOG_TTL_SECS=0 \
  TONGBAN__CACHE__PERSONAL_TTL_SECS=0 TONGBAN__CACHE__STALE_WHILE_REVALIDATE_SECS=0 \
  TONGBAN__CACHE__NEGATIVE_TTL_SECS=0
uncached_pid=${pids[-1]}
uncached_token=$(token 18202)
if wanted f; then
  "$floor_bin" 127.0.0.1:18203 "${LATENCY_MS:-20}" > "$work/floor.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    curl -fsS http://127.0.0.1:18203/ > /dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS http://127.0.0.1:18203/ > /dev/null || { cat "$work/floor.log" >&2; exit 1; }
fi

echo "bench/load.sh: $(date -u +%F), $(nproc) cores, wrk -t1 -c$connections -d$duration"
echo
echo '| scenario | wrk req/s | ab req/s | ab p50 | ab p99 | non-2xx |'
echo '|---|---|---|---|---|---|'
wanted a && measure '(a) GET /livez' "http://127.0.0.1:18201/livez"
wanted b && measure '(b) GET /v1/services/{code}?lang=ug, cached' \
  "http://127.0.0.1:18201/v1/services/$service?lang=ug"
wanted c && measure '(c) GET /v1/home, every section cached' "http://127.0.0.1:18201/v1/home" \
  "Authorization: Bearer $cached_token"
# upstream_calls PORT: "<seconds> <calls>" the gov platform's answers took so far, as Tongban
# timed them (the simulator's 20 ms is a tokio sleep, which ends on a millisecond tick).
upstream_calls() {
  curl -fsS "http://127.0.0.1:$1/metrics" | awk '
    /^tongban_upstream_call_duration_seconds_sum\{upstream="gov"/ {s += $2}
    /^tongban_upstream_call_duration_seconds_count\{upstream="gov"/ {n += $2}
    END {print s, n}'
}
before=$(upstream_calls 18202)
wanted d && measure '(d) GET /v1/home, caching off, platform 20 ms' "http://127.0.0.1:18202/v1/home" \
  "Authorization: Bearer $uncached_token"
after=$(upstream_calls 18202)
wanted f && measure '(f) the floor under (d): its platform calls alone' "http://127.0.0.1:18203/"
echo
echo "peak RSS of the cached server: $(peak_rss "$cached_pid")"
wanted d && echo "$before $after" | awk '{printf "(d): %d platform calls, %.2f ms each on average, as Tongban timed them\n", $4 - $2, ($3 - $1) * 1000 / ($4 - $2)}'
# Calls that did not end "ok" (overloaded: no free slot under the in-flight cap in time; such
# a section is answered unavailable, fast, and would flatter the latency).
wanted d && curl -fsS "http://127.0.0.1:18202/metrics" | awk '
  /^tongban_upstream_call_duration_seconds_count\{upstream="gov"/ && !/outcome="ok"/ && $2 > 0 {
    print "(d): gov calls " $1 " = " $2 }'

# SPLIT=1: (d) once more, under a capture of loopback (tcpdump's own work shares the cores, so
# these figures are a little above the table's), split on the wire.
if wanted d && [ "${SPLIT:-0}" = 1 ]; then
  command -v tcpdump > /dev/null || { apt-get update -qq && apt-get install -y -qq tcpdump > /dev/null; }
  listening=$(ss -tlnp | awk -v pid="pid=$uncached_pid," '$0 ~ pid {n = split($4, a, ":"); print a[n]}' \
    | sort -u | paste -sd,)
  tcpdump -Z "$(id -un)" -i lo -n -s 80 -B 32768 -U -w "$work/d.pcap" tcp 2> /dev/null &
  capture=$!
  sleep 1
  ab -k -c"$connections" -t"${duration%s}" -n 100000000 -H "Authorization: Bearer $uncached_token" \
    "http://127.0.0.1:18202/v1/home" > "$work/ab-split.txt" 2>&1
  sleep 0.5
  kill -INT "$capture"
  wait "$capture" || true
  # The capture's last packet may be cut short by the stop; tcpdump then says so and ends.
  tcpdump -r "$work/d.pcap" -n -tt 2> /dev/null > "$work/d.txt" || true
  echo
  echo "(d) under capture: ab p50 $(awk '$1 == "50%" {print $2}' "$work/ab-split.txt") ms," \
    "p99 $(awk '$1 == "99%" {print $2}' "$work/ab-split.txt") ms"
  echo
  python3 bench/latency-split.py "$work/d.txt" 18202 "$listening"
fi
