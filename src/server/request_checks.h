// Checks on what a client sends, as pure functions: each is applied once, where the
// request enters the server (server.cc's dispatch), and tested on its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigie::server {

// A number written as a whole decimal string ("12", "-3.5", "1e3"); nullopt for text,
// trailing garbage ("5abc"), an empty string, NaN or infinity.
std::optional<double> parse_number(std::string_view text);

// True when `text` holds a control character (NUL, newline, DEL …): refused in names,
// ids and parameters, whose stored form, audit line and comparisons must all agree.
bool has_control_characters(std::string_view text);

// True for "application/json" with or without parameters ("; charset=utf-8").
bool is_json_content_type(std::string_view content_type);

// Cross-site request check for a state-changing request. Browsers send `Origin` on every
// cross-site POST: when present it must name this server (scheme and Host). When absent,
// `Sec-Fetch-Site` (sent by current browsers) must not say cross-site. A client that
// sends neither (curl, scripts) is not a browser riding an operator's cookie.
bool same_origin(std::string_view origin, std::string_view sec_fetch_site, std::string_view host, bool tls);

// Number of ranges in a Range header ("bytes=0-1,5-9" → 2); 0 when there is none.
int range_parts(std::string_view range_header);

}  // namespace vigie::server
