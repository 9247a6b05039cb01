#!/usr/bin/env bash
# Throughput of one against three release Tongban instances behind nginx, sharing one PostgreSQL
# (issue 7; docs/deploy.md). Both runs go through the same nginx, one after the other, so their
# ratio is what adding instances gives on this machine:
#   (b) GET /v1/services/{code}?lang=ug   a cached service guide in Uyghur, anonymous
#   (c) GET /v1/home                      one signed-in person's home screen, every section cached
# Each instance runs its own built-in simulators (the demo data is the same in each); sessions
# live in PostgreSQL, so the token from one instance is good on all. Rate limits are off.
# Usage: bench/cluster.sh    (DURATION=10s CONNECTIONS=32 INSTANCES="1 3"
#        PG=postgres://postgres@127.0.0.1:5432/test by default)
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
instances=${INSTANCES:-1 3}
pg=${PG:-postgres://postgres@127.0.0.1:5432/test}
service=${SERVICE:-1165400001010031273000173007001}
front=18180

need=()
command -v wrk > /dev/null || need+=(wrk)
command -v jq > /dev/null || need+=(jq)
command -v psql > /dev/null || need+=(postgresql-client)
command -v nginx > /dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" > /dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release --quiet

work=$(mktemp -d)
pids=()
stop_all() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT

# start PORT SCHEMA: a release instance on the schema; waits until ready.
start() {
  local port=$1 schema=$2
  mkdir -p "$work/$port"
  env TONGBAN__LIMITS__PER_IP_PER_MINUTE=0 TONGBAN__LIMITS__PER_PERSON_PER_MINUTE=0 \
    TONGBAN__LIMITS__LOGINS_PER_IP_PER_MINUTE=0 TONGBAN__SHED__MAX_IN_FLIGHT=0 \
    TONGBAN__IDENTITY__ENCRYPTION_KEY="$enc_key" TONGBAN__IDENTITY__LOOKUP_KEY="$lookup_key" \
    TONGBAN__DATABASE__URL="$pg?options=-c%20search_path%3D$schema" \
    TONGBAN__LOG__FILTER=warn \
    "${CARGO_TARGET_DIR:-target}/release/tongban" serve --addr "127.0.0.1:$port" --data-dir "$work/$port" \
    > "$work/$port/server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "instance on $port did not start" >&2
  cat "$work/$port/server.log" >&2
  exit 1
}

# front PORT…: nginx on $front in front of the instances.
front() {
  local servers=""
  for port in "$@"; do servers+="    server 127.0.0.1:$port;"$'\n'; done
  cat > "$work/nginx.conf" <<EOF
worker_processes 1;
error_log $work/nginx.err warn;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  upstream tongban {
$servers    keepalive 64;
  }
  server {
    listen 127.0.0.1:$front;
    location / {
      proxy_pass http://tongban;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  "$nginx_bin" -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$front/livez" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "nginx did not start" >&2
  cat "$work/nginx.err" >&2
  exit 1
}

# token PORT: logs in as the first demo citizen and binds her real name; prints the token.
token() {
  local base="http://127.0.0.1:$1" code token citizen
  code=$(curl -fsS -X POST "$base/demo/wechat/login-code" | jq -r .code)
  token=$(curl -fsS -X POST "$base/v1/auth/wechat" -H 'Content-Type: application/json' \
    -d "{\"code\":\"$code\"}" | jq -r .accessToken)
  citizen=$(curl -fsS "$base/demo/citizens" | jq -c '.[0] | {name, idNumber}')
  curl -fsS -X POST "$base/v1/me/real-name" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$citizen" > /dev/null
  echo "$token"
}

# load NAME URL [HEADER]: wrk's requests per second, and non-2xx answers.
load() {
  local name=$1 url=$2 header=${3:-}
  local args=(-t2 -c"$connections" -d"$duration" --latency)
  [ -n "$header" ] && args+=(-H "$header")
  # Warm every instance's caches first (nginx spreads the requests round-robin).
  wrk -t1 -c6 -d2s ${header:+-H "$header"} "$url" > /dev/null
  wrk "${args[@]}" "$url" > "$work/wrk.txt"
  local rps non2xx p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  printf '%-4s %-44s %10s req/s  p99 %-8s non-2xx %s\n' "$n" "$name" "$rps" "$p99" "${non2xx:-0}"
}

# The instances of a deployment share their identity keys (docs/deploy.md §3).
enc_key=$(head -c 32 /dev/urandom | base64)
lookup_key=$(head -c 32 /dev/urandom | base64)
echo "$(date -u +%FT%TZ)  $(nproc) cores  duration $duration  connections $connections"
for n in $instances; do
  schema="tbbench_$(date +%s)_$n"
  psql "$pg" -qAtc "CREATE SCHEMA $schema" > /dev/null
  ports=()
  for i in $(seq 1 "$n"); do
    ports+=($((18180 + 10 * i)))
  done
  for port in "${ports[@]}"; do start "$port" "$schema"; done
  front "${ports[@]}"
  bearer="Authorization: Bearer $(token "${ports[0]}")"
  load "(b) service guide, ug" "http://127.0.0.1:$front/v1/services/$service?lang=ug"
  load "(c) home, signed in" "http://127.0.0.1:$front/v1/home" "$bearer"
  stop_all
  psql "$pg" -qAtc "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE" > /dev/null
done
