#!/usr/bin/env bash
# As-of point reads with wrk against the packaged service: starts it (datomic:mem, -Xmx2g), loads
# 1,000 SKUs x 10 versions, warms up for WARMUP seconds, then measures ROUNDS rounds of SECONDS
# with 32 connections (random SKU, random t among the loaded ones). Also measures /q/health/live
# the same way: the machine's ceiling for any HTTP answer from this service. Each round is followed
# by a round of the anchor, PostgreSQL answering the same as-of question from a plain history table
# (bench/wrk/pg-anchor.sh, pgbench): the ratio is what to compare across machines (ANCHOR=0: none).
# Usage: bench/wrk/run.sh [app dir, default target/quarkus-app]; needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/../.."
app=${1:-target/quarkus-app}; port=${PORT:-18090}
WARMUP=${WARMUP:-30}; SECONDS_=${SECONDS_:-15}; ROUNDS=${ROUNDS:-2}
ASOF_WRITE_TOKENS=wrk java -Xmx2g -XX:MaxGCPauseMillis=10 ${SERVICE_OPTS:-} -Dquarkus.http.port=$port -jar "$app/quarkus-run.jar" >/tmp/asof-wrk.log 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null' EXIT
until curl -sf localhost:$port/q/health/ready >/dev/null; do sleep 1; done
ts=($(bench/wrk/load.sh http://localhost:$port wrk))
export LOW=${ts[0]} HIGH=${ts[9]}
wrk -t2 -c32 -d${WARMUP}s -s bench/wrk/asof.lua http://localhost:$port >/dev/null
anchor=${ANCHOR:-1}
if [ "$anchor" = 1 ]; then bench/wrk/pg-anchor.sh setup; fi
for round in $(seq 1 "$ROUNDS"); do
  echo "as-of round $round: $(wrk -t2 -c32 -d${SECONDS_}s -s bench/wrk/asof.lua http://localhost:$port | grep -E 'Requests/sec|p50' | tr '\n' ' ')"
  if [ "$anchor" = 1 ]; then
    echo "anchor round $round (PostgreSQL, pgbench -M prepared -c ${CLIENTS:-16}): $(SECONDS_=$SECONDS_ bench/wrk/pg-anchor.sh run)"
  fi
done
echo "liveness: $(wrk --latency -t2 -c32 -d${SECONDS_}s http://localhost:$port/q/health/live | grep -E 'Requests/sec|99%' | tr '\n' ' ')"
