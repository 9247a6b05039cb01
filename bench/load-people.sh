#!/usr/bin/env bash
# Scenario (d) of bench/load.sh with every demo citizen at once instead of one person: GET
# /v1/home with caching off and the gov simulator answering after 20 ms. With one person, the
# concurrent requests share each upstream call (coalescing) and are answered together; here
# each person's requests make their own calls. One `ab -k` per person, CONNECTIONS each
# (default 4), for DURATION seconds; the percentiles are over every request of every person
# (ab -g), in whole milliseconds as ab records them.
# Usage: bench/load-people.sh   (CONNECTIONS=4 DURATION=10; TONGBAN_BIN=path to skip building)
set -euo pipefail
cd "$(dirname "$0")/.."

connections=${CONNECTIONS:-4}
duration=${DURATION:-10}
if ! command -v ab > /dev/null || ! command -v jq > /dev/null; then
  apt-get update -qq && apt-get install -y -qq apache2-utils jq > /dev/null
fi
bin=${TONGBAN_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/tongban"
fi

work=$(mktemp -d)
port=18203
env TONGBAN__LIMITS__PER_IP_PER_MINUTE=0 TONGBAN__LIMITS__PER_PERSON_PER_MINUTE=0 \
  TONGBAN__LIMITS__LOGINS_PER_IP_PER_MINUTE=0 TONGBAN__SHED__MAX_IN_FLIGHT=0 \
  TONGBAN__LOG__FILTER=warn TONGBAN__SIMULATORS__GOV_LATENCY_MS=20 \
  TONGBAN__CACHE__CATALOG_TTL_SECS=0 TONGBAN__CACHE__PERSONAL_TTL_SECS=0 \
  TONGBAN__CACHE__STALE_WHILE_REVALIDATE_SECS=0 TONGBAN__CACHE__NEGATIVE_TTL_SECS=0 \
  "$bin" serve --addr "127.0.0.1:$port" --data-dir "$work/data" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && break
  sleep 0.2
done
base="http://127.0.0.1:$port"

# Each demo citizen signs in with her own WeChat identity and binds her real name.
mkdir -p "$work/tokens" "$work/times"
curl -fsS "$base/demo/citizens" > "$work/citizens.json"
people=$(jq length "$work/citizens.json")
for i in $(seq 0 $((people - 1))); do
  openid=$(jq -r ".[$i].wechatOpenid" "$work/citizens.json")
  code=$(curl -fsS -X POST "$base/demo/wechat/login-code?openid=$openid" | jq -r .code)
  token=$(curl -fsS -X POST "$base/v1/auth/wechat" -H 'Content-Type: application/json' \
    -d "{\"code\":\"$code\"}" | jq -r .accessToken)
  jq -c ".[$i] | {name, idNumber}" "$work/citizens.json" |
    curl -fsS -X POST "$base/v1/me/real-name" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d @- > /dev/null
  echo "$token" > "$work/tokens/$i"
done

calls() {
  curl -fsS "$base/metrics" | awk '
    /^tongban_upstream_call_duration_seconds_sum\{upstream="gov"/ {s += $2}
    /^tongban_upstream_call_duration_seconds_count\{upstream="gov"/ {n += $2}
    END {print s, n}'
}
before=$(calls)
pids=()
for i in $(seq 0 $((people - 1))); do
  ab -k -c"$connections" -t"$duration" -n 100000000 -g "$work/times/$i" \
    -H "Authorization: Bearer $(cat "$work/tokens/$i")" "$base/v1/home" > "$work/ab.$i" 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
after=$(calls)

failed=$(awk '/^Non-2xx responses/ {n += $3} END {print n + 0}' "$work"/ab.*)
# ab -g: one line per request, the total time (ms) in the fifth column.
cat "$work"/times/* | awk -F'\t' '$5 ~ /^[0-9]+$/ {print $5}' | sort -n > "$work/all"
echo "bench/load-people.sh: $(date -u +%F), $(nproc) cores, $people people x ab -k -c$connections, ${duration}s"
awk -v secs="$duration" -v failed="$failed" '{t[NR] = $1} END {
  printf "requests %d (%.0f/s), non-2xx %d, p50 %d ms, p90 %d ms, p99 %d ms, max %d ms\n",
    NR, NR / secs, failed, t[int(NR * 0.5)], t[int(NR * 0.9)], t[int(NR * 0.99)], t[NR] }' "$work/all"
echo "$before $after" | awk '{printf "%d platform calls, %.2f ms each on average, as Tongban timed them\n", $4 - $2, ($3 - $1) * 1000 / ($4 - $2)}'
