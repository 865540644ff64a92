#!/usr/bin/env bash
# Heap held per event: starts the packaged service (datomic:mem, no journal), loads EVENTS price
# events (each a new version: SKUS SKUs, EVENTS/SKUS versions each) as NDJSON, and compares the
# heap in use after a full GC before and after. Usage: bench/memory.sh [events] [skus]
# Needs: ./mvnw package -DskipTests first; jcmd (in the JDK), curl, awk.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-200000}; skus=${2:-10000}; port=${PORT:-18080}
ASOF_WRITE_TOKENS=mem java -Xmx4g -Dquarkus.http.port=$port -jar target/quarkus-app/quarkus-run.jar >/tmp/asof-memory.log 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null' EXIT
until curl -sf localhost:$port/q/health/ready >/dev/null; do sleep 1; done
used() { jcmd $pid GC.run >/dev/null; sleep 2; jcmd $pid GC.heap_info | awk '/garbage-first heap/ { sub("K,?", "", $6); print $6 * 1024 }'; }
before=$(used)
for ((start = 0; start < events; start += 10000)); do
  awk -v s="$start" -v n="$skus" 'BEGIN { for (i = s; i < s + 10000; i++)
      printf "{\"type\":\"price\",\"sku\":\"M-%d\",\"amount\":%d.%02d,\"currency\":\"EUR\",\"effectiveAt\":\"2026-01-01T00:00:00Z\"}\n", i % n, i % 997, i % 100 }' \
    | curl -sf -H 'Authorization: Bearer mem' -H 'Content-Type: application/x-ndjson' --data-binary @- localhost:$port/events >/dev/null
done
after=$(used)
awk -v b="$before" -v a="$after" -v n="$events" 'BEGIN { printf "events %d  heap after GC: %.1f MB -> %.1f MB  = %.0f bytes/event\n", n, b / 1048576, a / 1048576, (a - b) / n }'
