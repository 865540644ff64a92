#!/usr/bin/env bash
# Loads SKUS SKUs x 10 versions (one NDJSON request per version round) into a running asof and
# prints the t of each round, space-separated (the first and last bound the as-of reads).
# Usage: bench/wrk/load.sh http://localhost:8080 [token] [skus]
set -euo pipefail
base=${1:-http://localhost:8080}; token=${2:-}; skus=${3:-1000}
auth=(); [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
for round in $(seq 0 9); do
  day=$(printf '%02d' $((round + 1)))
  awk -v r="$round" -v n="$skus" -v d="$day" 'BEGIN { for (s = 0; s < n; s++)
      printf "{\"type\":\"price\",\"sku\":\"W-%d\",\"amount\":%d.%02d,\"currency\":\"EUR\",\"effectiveAt\":\"2026-01-%sT00:00:00Z\"}\n", s, r + 1, s % 100, d }' \
    | curl -sf "${auth[@]}" -H 'Content-Type: application/x-ndjson' --data-binary @- "$base/events" -w "\n" \
    | sed -E 's/^[^0-9]*"t":([0-9]+).*/\1/'
done | tr '\n' ' '
echo
