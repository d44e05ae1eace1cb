-- wrk script: site search with a query string never sent before (an ignored `n` parameter makes
-- every URL new), so no request is served from the page cache: what a search costs to compute.
local queries = {"model+tuning", "forgetting", "learning+rate", "replay", "adapter", "zzqx"}
local n = 0

function request()
  n = n + 1
  return wrk.format("GET", "/search/?q=" .. queries[(n % #queries) + 1] .. "&n=" .. n)
end
