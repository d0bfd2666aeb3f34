-- wrk script: POST /ticks/ with a fresh time per request (no duplicates).
-- Each wrk thread posts under its own symbol so threads never collide.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  symbol = string.format("WRK%d%d", id, os.time() % 1000000)
  counter = 0
end

function request()
  counter = counter + 1
  local t = string.format("2025-06-%02dT00:00:00.%06dZ", 1 + math.floor(counter / 1000000), counter % 1000000)
  return wrk.format("POST", "/ticks/", { ["Content-Type"] = "application/json" },
    string.format('{"symbol":"%s","time":"%s","price":1.085}', symbol, t))
end
