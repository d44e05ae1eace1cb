-- wrk script: requests of many learners in turn, with real sessions and CSRF tokens.
-- Each line of the entries file: method<TAB>path<TAB>cookie<TAB>csrf<TAB>body ("-": none).
-- Requests walk the lines in order from an offset (for POSTs: every request answers a question
-- not answered before; for pages: the next learner's page), counting 2xx responses.
local entries = {}
local index = 0
local threads = {}
successes = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local offset = tonumber(args[2]) or 0
  for line in io.lines(args[1]) do
    local method, path, cookie, csrf, body = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
    table.insert(entries, {method = method, path = path, cookie = cookie, csrf = csrf, body = body})
  end
  index = offset
end

function request()
  index = index + 1
  local e = entries[((index - 1) % #entries) + 1]
  local headers = {["Cookie"] = e.cookie}
  if e.method == "POST" then
    headers["X-CSRFToken"] = e.csrf
    headers["HX-Request"] = "true"
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", e.path, headers, e.body)
  end
  return wrk.format("GET", e.path, headers)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then successes = successes + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("successes") end
  io.write(string.format("SUCCESSES %d\n", total))
end
