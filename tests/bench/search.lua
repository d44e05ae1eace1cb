-- wrk script: site search with queries as learners type them, every URL new (an ignored `n`
-- parameter defeats the page cache), so each request runs the search: what a never-seen query
-- costs at scale. Words come from seed_scale's vocabulary; four shapes in turn: one word, two
-- words, a word with two letters swapped (a typo), a word typed in part (as you type).
local words = {
  "model", "training", "data", "weights", "gradient", "update", "task", "learning", "network", "layer",
  "loss", "tuning", "evaluation", "benchmark", "knowledge", "general", "domain", "adapter", "rank",
  "matrix", "frozen", "base", "replay", "rehearsal", "stability", "plasticity", "transfer", "prompt",
  "context", "token", "embedding", "attention", "head", "optimizer", "schedule", "warmup", "decay",
  "batch", "epoch", "checkpoint", "forgetting", "zzqx",
}
local n = 0

local function swapped(word)
  if #word < 4 then return word end
  return word:sub(1, 1) .. word:sub(3, 3) .. word:sub(2, 2) .. word:sub(4)
end

function request()
  n = n + 1
  local a = words[(n % #words) + 1]
  local b = words[((n * 7 + math.floor(n / #words)) % #words) + 1]
  local shape = n % 4
  local q
  if shape == 0 then q = a
  elseif shape == 1 then q = a .. "+" .. b
  elseif shape == 2 then q = swapped(a)
  else q = a .. "+" .. b:sub(1, 4) end
  return wrk.format("GET", "/search/?q=" .. q .. "&n=" .. n)
end
