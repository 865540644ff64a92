#!/usr/bin/env bash
# The anchor for as-of point reads: PostgreSQL answering the same question from a plain history
# table — the newest version of a SKU at or before a given t — with pgbench (prepared statements,
# CLIENTS clients, 2 threads) for SECONDS_ seconds, on the same machine. Prints pgbench's tps line.
# Usage: bench/wrk/pg-anchor.sh setup|run   (PGURL, default postgresql://postgres@127.0.0.1:5432)
# The table mirrors bench/wrk/load.sh: 1,000 SKUs (W-0..W-999) x 10 versions at t = 1..10.
set -euo pipefail
cd "$(dirname "$0")/../.."
server=${PGURL:-postgresql://postgres@127.0.0.1:5432}; db=asof_wrk_anchor
SECONDS_=${SECONDS_:-15}; CLIENTS=${CLIENTS:-16}
case ${1:-run} in
  setup)
    psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    psql -q "$server/$db" >/dev/null <<'SQL'
CREATE TABLE price_history (sku text NOT NULL, t bigint NOT NULL, amount numeric(12, 2) NOT NULL,
  currency text NOT NULL, PRIMARY KEY (sku, t));
INSERT INTO price_history
  SELECT 'W-' || s, r, r + (s % 100) / 100.0, 'EUR' FROM generate_series(0, 999) s, generate_series(1, 10) r;
ANALYZE price_history;
SQL
    ;;
  run)
    script=$(mktemp); trap 'rm -f $script' EXIT
    cat > "$script" <<'SQL'
\set s random(0, 999)
\set t random(1, 10)
SELECT sku, amount, currency, t FROM price_history WHERE sku = 'W-' || :s AND t <= :t ORDER BY t DESC LIMIT 1;
SQL
    pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$SECONDS_" -f "$script" "$server/$db" 2>/dev/null \
      | grep -E '^tps' | sed -E 's/ \(without initial connection time\)//'
    ;;
esac
