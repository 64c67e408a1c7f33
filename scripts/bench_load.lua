-- wrk script of scripts/bench_load.py: requests from the data file BENCH_DATA, closed loop, or
-- paced at BENCH_RATE requests per second when that is above zero.
--
-- Pacing: request n is due at start + n / rate. A connection that is free before its request is
-- due waits for it; one that is late sends at once and counts as late (more than 10 ms), so the
-- report shows where the server could not keep up with the rate instead of hiding it.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local data = dofile(os.getenv("BENCH_DATA"))
local rate = tonumber(os.getenv("BENCH_RATE") or "0")
local nonce = os.getenv("BENCH_NONCE") or "run"
local prebuilt = {}
sent, late = 0, 0
local started = nil

function init(args)
  math.randomseed(12345)
  if not data.idempotency then
    for i, r in ipairs(data.requests) do
      prebuilt[i] = wrk.format(r.method, r.path, r.headers, r.body ~= "" and r.body or nil)
    end
  end
end

function request()
  sent = sent + 1
  local i
  if data.sequential then
    i = math.floor((sent - 1) / data.per_entry) % #data.requests + 1
  else
    i = math.random(#data.requests)
  end
  if not data.idempotency then
    return prebuilt[i]
  end
  local r = data.requests[i]
  local headers = {}
  for k, v in pairs(r.headers) do headers[k] = v end
  headers["Idempotency-Key"] = nonce .. "-" .. sent
  return wrk.format(r.method, r.path, headers, r.body)
end

if rate > 0 then
  local interval = 1000 / rate
  local scheduled = 0
  function delay()
    local now = now_ms()
    if started == nil then started = now end
    local due = started + scheduled * interval
    scheduled = scheduled + 1
    if due >= now then
      return math.floor(due - now)
    end
    if now - due > 10 then late = late + 1 end
    return 0
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local total_sent, total_late = 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + (thread:get("sent") or 0)
    total_late = total_late + (thread:get("late") or 0)
  end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, ' ..
    '"p90_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "mean_ms": %.2f, ' ..
    '"errors": %d, "status_errors": %d, "socket_errors": %d, "late_share": %.4f, "sent": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    errors.status + errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    total_sent > 0 and total_late / total_sent or 0, total_sent))
end
