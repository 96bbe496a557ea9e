-- What vigie's basemap keeps of an OpenStreetMap extract (tilemaker 2.2): a plain
-- background for the camera map. No names: the console draws no text from tiles, so
-- it needs no font server.
node_keys = {}

local green = { park = true, garden = true, grass = true, forest = true, wood = true, meadow = true,
                recreation_ground = true, cemetery = true, playground = true }

-- A street's class: the road hierarchy the console styles (major, minor, path).
local classes = { motorway = "major", trunk = "major", primary = "major", secondary = "major",
                  tertiary = "minor", unclassified = "minor", residential = "minor", living_street = "minor",
                  service = "minor", pedestrian = "path", footway = "path", path = "path", steps = "path",
                  cycleway = "path", track = "path" }

function way_function(way)
  local highway = way:Find("highway")
  local area = way:Find("area") == "yes"
  if way:Find("building") ~= "" then
    way:Layer("building", true)
  elseif way:Find("natural") == "water" or way:Find("waterway") == "riverbank" or way:Find("water") ~= "" then
    way:Layer("water", true)
  elseif green[way:Find("leisure")] or green[way:Find("landuse")] or green[way:Find("natural")] then
    way:Layer("green", true)
  elseif highway ~= "" and not area then
    local class = classes[highway] or classes[highway:gsub("_link", "")]
    if class then
      way:Layer("transportation", false)
      way:Attribute("class", class)
    end
  elseif way:Find("railway") == "rail" or way:Find("railway") == "tram" or way:Find("railway") == "subway" then
    if way:Find("tunnel") == "" then way:Layer("railway", false) end
  end
end
