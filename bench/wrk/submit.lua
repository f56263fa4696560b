-- Quiz submits for wrk: each prepared request is sent once at most, never replayed.
--
--   wrk -t2 -c50 -d9s --latency -s bench/wrk/submit.lua http://127.0.0.1:PORT/ -- FILE THREADS DEADLINE
--
-- FILE has one request a line, fields separated by tabs: method, path, cookie, body. Each wrk
-- thread takes its own share of the lines (line i goes to thread i % THREADS) and sends each of
-- them once, in order. From DEADLINE (an instant of CLOCK_MONOTONIC, as Python's
-- time.monotonic() gives it) no connection sends a new submit: the ones in flight are answered
-- and counted before wrk's -d ends (give -d a second more), so that every submit the server
-- stores is one the script counted as answered 302. A thread whose share runs out stops sending too,
-- and done() says so: the run then ended early and its requests/s are too low.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } quizapp_load_timespec;
int clock_gettime(int clock_id, quizapp_load_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local IDLE_MS = 3600 * 1000 -- the "delay" of a connection that has nothing left to send

local function now()
  local t = ffi.new("quizapp_load_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, t)
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) * 1e-9
end

local user_agent = "quizapp-load" -- the logged-in sessions were made for this User-Agent
local threads = {} -- main Lua state: every thread, for done()
local requests = {}
local deadline

-- Globals of each thread's own Lua state, read by done() through thread:get.
sent = 0
late = 0 -- requests asked for after the deadline (not submits)
first = 0 -- when this thread asked for its first request (CLOCK_MONOTONIC)
redirected = 0 -- responses 302: a submit graded and stored, the learner sent to the result
exhausted = false

-- Runs in the main Lua state once per thread, before that thread's init; sets the global
-- `share` (this thread's index) in the thread's own Lua state.
function setup(thread)
  thread:set("share", #threads)
  threads[#threads + 1] = thread
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  local file, count, until_ = args[1], tonumber(args[2]), tonumber(args[3])
  assert(file and count and until_, "usage: -- FILE THREADS DEADLINE")
  local i = 0
  for line in io.lines(file) do
    if line ~= "" then
      if i % count == share then
        local f = split(line)
        local headers = {
          ["Cookie"] = f[3],
          ["User-Agent"] = user_agent,
          ["Content-Type"] = "application/x-www-form-urlencoded",
        }
        requests[#requests + 1] = wrk.format(f[1], f[2], headers, f[4])
      end
      i = i + 1
    end
  end
  assert(#requests > 0, "no requests for thread " .. share .. " in " .. file)
  pool = #requests
  -- An instant of CLOCK_MONOTONIC, the same for every thread: threads are set up one after
  -- another (each reads the whole file), so a deadline counted from each one's set-up would
  -- leave the last one less than the drain time before wrk stops.
  deadline = until_
end

-- Called before each request but a connection's first: 0 sends at once.
function delay()
  if sent >= #requests then
    exhausted = true
    return IDLE_MS
  end
  if now() >= deadline then
    return IDLE_MS
  end
  return 0
end

function request()
  if first == 0 then
    first = now()
  end
  if now() >= deadline then
    -- A connection wrk opened again after the server closed the last one may ask without
    -- calling delay() first. Past the deadline it gets a page that changes nothing, so that no
    -- submit is still in flight when wrk stops (load.py counts submits by their 302s).
    late = late + 1
    return wrk.format("GET", "/static/quizapp.css", { ["User-Agent"] = user_agent })
  end
  if sent >= #requests then
    -- Only a connection's first request skips delay(): a share smaller than the connections.
    -- Never replay a submit; ask for a page that does not exist, which wrk counts as an error.
    exhausted = true
    return wrk.format("GET", "/load-pool-exhausted", { ["User-Agent"] = user_agent })
  end
  sent = sent + 1
  return requests[sent]
end

function response(status, headers, body)
  if status == 302 then
    redirected = redirected + 1
  end
end

function done(summary, latency, reqs)
  for _, thread in ipairs(threads) do
    io.write(
      string.format(
        "submit pool: thread %d used %d of %d, %d answered 302, %d late, first at %.3f%s\n",
        thread:get("share"),
        thread:get("sent"),
        thread:get("pool"),
        thread:get("redirected"),
        thread:get("late"),
        thread:get("first"),
        thread:get("exhausted") and " (exhausted)" or ""
      )
    )
  end
end
