-- Shared by the workload scripts: the conversation ids to hit, from the file named by QLIPPY_IDS,
-- visited in a scattered order so that no single row stays hot.
ids = {}
for line in io.lines(os.getenv("QLIPPY_IDS")) do ids[#ids + 1] = line end
counter = 0
json_headers = { ["Content-Type"] = "application/json" }

function next_id()
  counter = counter + 1
  return ids[(counter * 7919) % #ids + 1]
end
