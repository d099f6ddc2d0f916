-- wrk script of bench/events_submit.py (read that file first).
--
--   wrk -t2 -c32 -d20s -s load.lua URL -- submit DATA.lua RUNID
--   wrk -t2 -c32 -d20s -s load.lua URL -- health
--
-- submit: POST /api/v1/events with a JSON body from DATA.lua (BODIES), a bearer token
-- rotated over the pool (TOKENS) and an Idempotency-Key unique to the request
-- (RUNID-thread-n). health: GET /api/v1/health.
--
-- Every thread counts what it sent and what came back by status; done() prints one
-- line "BENCH {json}" that the Python side reads. sent - received is what was still in
-- flight when wrk stopped: the server finishes those after the client has gone.

local threads = {}

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   mode = args[1]
   runid = args[3] or "run"
   if mode == "submit" then
      dofile(args[2]) -- defines TOKENS and BODIES
   end
   sent, received, s2xx, s200, s201, s4xx, s5xx, sother = 0, 0, 0, 0, 0, 0, 0, 0
   first_error = ""
end

function request()
   sent = sent + 1
   if mode == "health" then
      return wrk.format("GET", "/api/v1/health")
   end
   local headers = {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. TOKENS[(sent + tid) % #TOKENS + 1],
      ["Idempotency-Key"] = runid .. "-" .. tid .. "-" .. sent,
   }
   return wrk.format("POST", "/api/v1/events", headers, BODIES[(sent * 7 + tid) % #BODIES + 1])
end

function response(status, headers, body)
   received = received + 1
   if status >= 200 and status < 300 then
      s2xx = s2xx + 1
      if status == 201 then
         s201 = s201 + 1
      elseif status == 200 then
         s200 = s200 + 1
      end
   else
      if status >= 400 and status < 500 then
         s4xx = s4xx + 1
      elseif status >= 500 then
         s5xx = s5xx + 1
      else
         sother = sother + 1
      end
      if first_error == "" then
         first_error = status .. " " .. string.sub(body or "", 1, 300)
      end
   end
end

local function quote(s)
   s = string.gsub(s, "[%c\"\\]", function(ch)
      return string.format("\\u%04x", string.byte(ch))
   end)
   return '"' .. s .. '"'
end

function done(summary, latency, requests)
   local t = { sent = 0, received = 0, s2xx = 0, s200 = 0, s201 = 0, s4xx = 0, s5xx = 0, sother = 0 }
   local first = ""
   for _, thread in ipairs(threads) do
      for name, _ in pairs(t) do
         t[name] = t[name] + (thread:get(name) or 0)
      end
      local e = thread:get("first_error") or ""
      if first == "" then
         first = e
      end
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH {\"duration_us\": %d, \"requests\": %d, \"sent\": %d, \"received\": %d,"
         .. " \"s2xx\": %d, \"s200\": %d, \"s201\": %d, \"s4xx\": %d, \"s5xx\": %d, \"sother\": %d,"
         .. " \"connect\": %d, \"read\": %d, \"write\": %d, \"status\": %d, \"timeout\": %d,"
         .. " \"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"mean_us\": %.1f,"
         .. " \"first_error\": %s}\n",
      summary.duration, summary.requests, t.sent, t.received,
      t.s2xx, t.s200, t.s201, t.s4xx, t.s5xx, t.sother,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean, quote(first)
   ))
end
