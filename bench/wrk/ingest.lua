-- wrk script: POST /events with EVENTS price events a request (default 100, sent as a JSON array;
-- EVENTS=1 sends one event object). Random SKUs out of 100,000; valid time = received time, so
-- every event is a new version. Token from TOKEN.
-- Usage: TOKEN=… [EVENTS=1] wrk -t2 -c16 -d30s -s bench/wrk/ingest.lua http://localhost:8080
local token = os.getenv("TOKEN") or ""
math.randomseed(os.time())
-- PACE=ms: each connection waits that long after each answer (c connections: about c*1000/PACE
-- requests/s). A paced closed loop, not wrk2's open loop: a stall delays the requests behind it.
local pace = tonumber(os.getenv("PACE") or "0")
local per_request = tonumber(os.getenv("EVENTS") or "100")
if pace > 0 then delay = function() return pace end end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
request = function()
  local events = {}
  for i = 1, per_request do
    events[i] = string.format('{"type":"price","sku":"I-%d","amount":%d.%02d,"currency":"EUR"}',
      math.random(0, 99999), math.random(1, 999), math.random(0, 99))
  end
  local body = per_request == 1 and events[1] or "[" .. table.concat(events, ",") .. "]"
  return wrk.format(nil, "/events", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("events/s %.0f  p50 %.2f ms  p99 %.2f ms  non-2xx %d\n",
    summary.requests / (summary.duration / 1e6) * per_request, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status))
end
