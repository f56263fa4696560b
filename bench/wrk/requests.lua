-- Logged-in requests for wrk, read from a file of prepared requests, cycled through.
--
--   wrk -t2 -c50 -d8s --latency -s bench/wrk/requests.lua http://127.0.0.1:PORT/ -- FILE THREADS
--
-- FILE has one request a line, fields separated by tabs: method, path, cookie, body (may be
-- empty). Each wrk thread takes its own share of the lines (line i goes to thread i % THREADS)
-- and cycles through it. bench/load.py writes the files and runs wrk.

local user_agent = "quizapp-load"  -- the logged-in sessions were made for this User-Agent
local threads_set_up = 0  -- main Lua state: how many threads setup() has seen
local requests = {}
local next_request = 1

-- Runs in the main Lua state once per thread, before that thread's init; sets the global
-- `share` (this thread's index) in the thread's own Lua state.
function setup(thread)
  thread:set("share", threads_set_up)
  threads_set_up = threads_set_up + 1
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  local file, count = args[1], tonumber(args[2])
  assert(file and count, "usage: -- FILE THREADS")
  local i = 0
  for line in io.lines(file) do
    if line ~= "" then
      if i % count == share then
        local f = split(line)
        local headers = { ["Cookie"] = f[3], ["User-Agent"] = user_agent }
        local body = f[4] ~= "" and f[4] or nil
        if body then
          headers["Content-Type"] = "application/x-www-form-urlencoded"
        end
        requests[#requests + 1] = wrk.format(f[1], f[2], headers, body)
      end
      i = i + 1
    end
  end
  assert(#requests > 0, "no requests for thread " .. share .. " in " .. file)
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end
