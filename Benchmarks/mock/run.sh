#!/usr/bin/env bash
# Benchmarks `squall mock` (healthy, non-streaming POST /v1/chat/completions) against nginx serving the
# same response bytes and headers, with the same wrk settings, in one run; prints both req/s and the ratio.
#
#   Benchmarks/mock/run.sh [--rounds 3] [--duration 5s] [--connections 64] [--threads 2] [--squall PATH]
#                          [--baseline PATH]
#
# --baseline PATH also measures a second squall binary (e.g. a build of the previous commit) in the same
# alternating rounds (nginx, baseline, mock, nginx, ...), so a change's hot-path cost is an A/B in one run.
#
# The two servers are measured in alternating rounds (nginx, mock, nginx, mock, ...) so that load from
# other processes on the machine hits both alike; the figure is total requests / total time per server.
# Needs: wrk, nginx (nginx-light), curl, a release build of squall (built if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=5s
ROUNDS=3
CONNECTIONS=64
THREADS=2
SQUALL=""
BASELINE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --squall) SQUALL="$2"; shift 2 ;;
    --baseline) BASELINE="$2"; shift 2 ;;
    *) echo "usage: $0 [--rounds 3] [--duration 5s] [--connections 64] [--threads 2] [--squall PATH] [--baseline PATH]" >&2; exit 2 ;;
  esac
done
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is not installed" >&2; exit 3; }
done
if [ -z "$SQUALL" ]; then
  swift build -c release --product squall >/dev/null
  SQUALL="$(swift build -c release --show-bin-path)/squall"
fi

WORK="$(mktemp -d)"
mock_pid=""; nginx_pid=""; base_pid=""
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  [ -n "$base_pid" ] && kill "$base_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# 1. The mock.
MOCK_PORT=$(free_port)
"$SQUALL" mock --port "$MOCK_PORT" --profile Benchmarks/mock/profile.yaml >"$WORK/mock.log" 2>&1 &
mock_pid=$!
wait_port "$MOCK_PORT" || { echo "run.sh: squall mock did not start" >&2; cat "$WORK/mock.log" >&2; exit 3; }
if [ -n "$BASELINE" ]; then
  BASE_PORT=$(free_port)
  "$BASELINE" mock --port "$BASE_PORT" --profile Benchmarks/mock/profile.yaml >"$WORK/base.log" 2>&1 &
  base_pid=$!
  wait_port "$BASE_PORT" || { echo "run.sh: the baseline squall mock did not start" >&2; cat "$WORK/base.log" >&2; exit 3; }
fi
BODY_JSON=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" Benchmarks/mock/post.lua)

# 2. One real mock response: nginx will serve exactly these bytes with the same headers.
curl -s -D "$WORK/headers" -o "$WORK/body" -H 'Content-Type: application/json' -H 'Authorization: Bearer bench' \
  --data "$BODY_JSON" "http://127.0.0.1:$MOCK_PORT/v1/chat/completions"
REQUEST_ID=$(tr -d '\r' <"$WORK/headers" | sed -n 's/^x-request-id: //p')
BODY_ESCAPED=$(sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$WORK/body")

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  server_tokens off;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      default_type application/json;
      add_header x-request-id $REQUEST_ID;
      return 200 '$BODY_ESCAPED';
    }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx/stdout.log" 2>&1 &
nginx_pid=$!
wait_port "$NGINX_PORT" || { echo "run.sh: nginx did not start" >&2; cat "$WORK/nginx/error.log" >&2; exit 3; }

# Same bytes? (nginx adds Server/Date/Connection headers; the bodies must match exactly.)
curl -s -o "$WORK/nginx-body" -H 'Content-Type: application/json' --data "$BODY_JSON" "http://127.0.0.1:$NGINX_PORT/v1/chat/completions"
cmp -s "$WORK/body" "$WORK/nginx-body" || { echo "run.sh: nginx body differs from the mock's" >&2; exit 3; }

# CPU time (user + system, clock ticks) used so far by a process and its children's threads.
cpu_ticks() {
  local total=0 pid
  for pid in "$@" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}
TICK=$(getconf CLK_TCK)

# run_wrk URL PID -> prints "requests/s requests cpu-ticks"
run_wrk() {
  local before after
  before=$(cpu_ticks "$2")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s Benchmarks/mock/post.lua "$1" >"$WORK/wrk.out" 2>&1
  after=$(cpu_ticks "$2")
  cat "$WORK/wrk.out" >&2
  grep -q "Non-2xx" "$WORK/wrk.out" && { echo "run.sh: non-2xx responses from $1" >&2; exit 3; }
  echo "$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.out") $(awk '/requests in/ { print $1 }' "$WORK/wrk.out") $((after - before))"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION x $ROUNDS rounds, body $(wc -c <"$WORK/body") bytes, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
NGINX_SUM=0; MOCK_SUM=0; NGINX_REQ=0; MOCK_REQ=0; NGINX_CPU=0; MOCK_CPU=0; BASE_SUM=0; BASE_REQ=0; BASE_CPU=0
for round in $(seq 1 "$ROUNDS"); do
  echo "--- round $round: nginx ---" >&2
  read -r n nreq ncpu < <(run_wrk "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" "$nginx_pid")
  if [ -n "$BASELINE" ]; then
    echo "--- round $round: baseline squall mock ---" >&2
    read -r b breq bcpu < <(run_wrk "http://127.0.0.1:$BASE_PORT/v1/chat/completions" "$base_pid")
    printf 'round %d      baseline %9.0f req/s   ratio %.2f\n' "$round" "$b" "$(awk -v m="$b" -v n="$n" 'BEGIN { print m / n }')"
    BASE_SUM=$(awk -v a="$BASE_SUM" -v b="$b" 'BEGIN { print a + b }')
    BASE_REQ=$((BASE_REQ + breq)); BASE_CPU=$((BASE_CPU + bcpu))
  fi
  echo "--- round $round: squall mock ---" >&2
  read -r m mreq mcpu < <(run_wrk "http://127.0.0.1:$MOCK_PORT/v1/chat/completions" "$mock_pid")
  printf 'round %d      nginx %9.0f req/s   squall mock %9.0f req/s   ratio %.2f\n' "$round" "$n" "$m" "$(awk -v m="$m" -v n="$n" 'BEGIN { print m / n }')"
  NGINX_SUM=$(awk -v a="$NGINX_SUM" -v b="$n" 'BEGIN { print a + b }')
  MOCK_SUM=$(awk -v a="$MOCK_SUM" -v b="$m" 'BEGIN { print a + b }')
  NGINX_REQ=$((NGINX_REQ + nreq)); MOCK_REQ=$((MOCK_REQ + mreq))
  NGINX_CPU=$((NGINX_CPU + ncpu)); MOCK_CPU=$((MOCK_CPU + mcpu))
done

printf 'nginx        %12.0f req/s (mean of %d rounds)   %6.2f us CPU/request\n' "$(awk -v s="$NGINX_SUM" -v r="$ROUNDS" 'BEGIN { print s / r }')" "$ROUNDS" "$(awk -v c="$NGINX_CPU" -v q="$NGINX_REQ" -v t="$TICK" 'BEGIN { print c / t / q * 1e6 }')"
printf 'squall mock  %12.0f req/s (mean of %d rounds)   %6.2f us CPU/request\n' "$(awk -v s="$MOCK_SUM" -v r="$ROUNDS" 'BEGIN { print s / r }')" "$ROUNDS" "$(awk -v c="$MOCK_CPU" -v q="$MOCK_REQ" -v t="$TICK" 'BEGIN { print c / t / q * 1e6 }')"
if [ -n "$BASELINE" ]; then
  printf 'baseline     %12.0f req/s (mean of %d rounds)   %6.2f us CPU/request\n' "$(awk -v s="$BASE_SUM" -v r="$ROUNDS" 'BEGIN { print s / r }')" "$ROUNDS" "$(awk -v c="$BASE_CPU" -v q="$BASE_REQ" -v t="$TICK" 'BEGIN { print c / t / q * 1e6 }')"
  awk -v m="$BASE_SUM" -v n="$NGINX_SUM" 'BEGIN { printf "baseline ratio %10.2fx nginx req/s\n", m / n }'
fi
awk -v m="$MOCK_SUM" -v n="$NGINX_SUM" 'BEGIN { printf "ratio        %12.2fx nginx req/s\n", m / n }'
awk -v mc="$MOCK_CPU" -v mq="$MOCK_REQ" -v nc="$NGINX_CPU" -v nq="$NGINX_REQ" 'BEGIN { printf "cpu ratio    %12.2fx (nginx CPU per request / mock CPU per request)\n", (nc / nq) / (mc / mq) }'
