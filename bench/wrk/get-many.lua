-- GET conversations in turn, so reads are not one hot row.
dofile(os.getenv("QLIPPY_WRK_DIR") .. "/common.lua")

request = function()
  return wrk.format("GET", "/api/conversations/" .. next_id())
end
