// A URL as messages and the API may show it: `scheme://user:password@host…` with the
// password replaced by ***. Camera URLs carry credentials (rtsp://admin:…@10.0.0.7/…), and
// an error message ends up in the journal and the console.
#pragma once

#include <string>

namespace vigie {

inline std::string without_password(std::string url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto start = scheme + 3;
  const auto at = url.find('@', start);
  const auto slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const auto colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.replace(colon + 1, at - colon - 1, "***");
}

}  // namespace vigie
