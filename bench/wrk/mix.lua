-- 90 % GET a conversation (ids in QLIPPY_IDS), 10 % POST a message to another (ids in QLIPPY_WRITE_IDS),
-- so that the conversations read keep their size.
dofile(os.getenv("QLIPPY_WRK_DIR") .. "/common.lua")
write_ids = {}
for line in io.lines(os.getenv("QLIPPY_WRITE_IDS")) do write_ids[#write_ids + 1] = line end

request = function()
  local id = next_id()
  if counter % 10 == 0 then
    return wrk.format("POST", "/api/conversations/" .. write_ids[(counter * 31) % #write_ids + 1] .. "/messages", json_headers,
      '{"role":"assistant","content":"mixed workload reply ' .. counter .. '"}')
  end
  return wrk.format("GET", "/api/conversations/" .. id)
end
