-- wrk: requests read from a file, one per line: "PATH" or "METHOD PATH [BODY]"; prints the
-- figures the benchmarks need as one JSON line.
local requests = {}
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)%s+(%S+)%s*(.*)$")
    if not method then method, path, body = "GET", line, "" end
    -- wrk.format replaces the default headers (Host, Authorization) when given a table.
    local headers = {}
    for key, value in pairs(wrk.headers) do headers[key] = value end
    if body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" else body = nil end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
