-- wrk script: GET /prices/W-{random sku}?asOf={random t between LOW and HIGH}
-- Usage: LOW=1010 HIGH=1019 SKUS=1000 wrk -t2 -c32 -d30s -s bench/wrk/asof.lua http://localhost:8080
local low = tonumber(os.getenv("LOW") or "1")
local high = tonumber(os.getenv("HIGH") or "1")
local skus = tonumber(os.getenv("SKUS") or "1000")
math.randomseed(os.time())
-- PACE=ms: each connection waits that long after each answer (c connections: about c*1000/PACE
-- requests/s). A paced closed loop, not wrk2's open loop: a stall delays the requests behind it.
local pace = tonumber(os.getenv("PACE") or "0")
if pace > 0 then delay = function() return pace end end
request = function()
  return wrk.format("GET", "/prices/W-" .. math.random(0, skus - 1) .. "?asOf=" .. math.random(low, high))
end
done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  non-2xx/3xx %d\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, summary.errors.status))
end
