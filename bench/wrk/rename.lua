-- PUT a new title on conversations in turn.
dofile(os.getenv("QLIPPY_WRK_DIR") .. "/common.lua")

request = function()
  local id = next_id()
  return wrk.format("PUT", "/api/conversations/" .. id, json_headers, '{"title":"renamed ' .. counter .. '"}')
end
