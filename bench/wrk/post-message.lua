-- POST a message, spread over many conversations.
dofile(os.getenv("QLIPPY_WRK_DIR") .. "/common.lua")

request = function()
  local id = next_id()
  return wrk.format("POST", "/api/conversations/" .. id .. "/messages", json_headers,
    '{"role":"user","content":"benchmark message ' .. counter .. ' with some ordinary words in it"}')
end
