-- 90 % GET a conversation, 10 % POST a message to one.
dofile(os.getenv("QLIPPY_WRK_DIR") .. "/common.lua")

request = function()
  local id = next_id()
  if counter % 10 == 0 then
    return wrk.format("POST", "/api/conversations/" .. id .. "/messages", json_headers,
      '{"role":"assistant","content":"mixed workload reply ' .. counter .. '"}')
  end
  return wrk.format("GET", "/api/conversations/" .. id)
end
