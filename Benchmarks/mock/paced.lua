-- wrk script for Benchmarks/mock/memory.sh: tagged chat completions, one new idempotency key and
-- attribution tag per request (as Squall submits), paced by delay() to about RATE requests/s overall.
-- Environment: RATE (requests/s, default 5000), CONNECTIONS (wrk -c, default 50), RUN (8-char run id).
local rate = tonumber(os.getenv("RATE") or "5000")
local connections = tonumber(os.getenv("CONNECTIONS") or "50")
local run = os.getenv("RUN") or "membench"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
local function base36(n)
  if n == 0 then return "0" end
  local s = ""
  while n > 0 do
    local d = n % 36
    s = string.sub(digits, d + 1, d + 1) .. s
    n = math.floor(n / 36)
  end
  return s
end

function request()
  counter = counter + 1
  local key = (thread_id or 0) * 1000000000 + counter
  local tag = " [sq:" .. run .. ":" .. base36(key) .. "]"
  local body = '{"model":"llama-3.1-8b-instant","messages":[{"role":"system","content":"You are terse."},' ..
    '{"role":"user","content":"What is the capital of France?' .. tag .. '"}],"max_tokens":64}'
  return wrk.format("POST", "/v1/chat/completions", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer bench",
    ["Idempotency-Key"] = "sq-" .. run .. "-" .. base36(key),
  }, body)
end

-- Each connection waits `pause` ms before its next request, starting at connections / rate seconds;
-- once a second the pause is corrected by the rate this thread achieved (wrk runs 2 threads).
local pause = connections * 1000 / rate
local second, sent = os.time(), 0
function delay()
  sent = sent + 1
  local now = os.time()
  if now ~= second then
    local achieved = sent / (now - second)
    local target = rate / 2
    if achieved > 0 then pause = math.max(0, math.min(1000, pause * achieved / target)) end
    second, sent = now, 0
  end
  return pause
end
