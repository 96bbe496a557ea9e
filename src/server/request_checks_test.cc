// The checks applied where a request enters the server, each named after the finding of
// the security review it closes.
#include "server/request_checks.h"

#include <gtest/gtest.h>

namespace vigie::server {
namespace {

TEST(ParseNumber, NanInfinityAndTrailingTextAreNotNumbers) {
  // limit=nan and offset=inf became -2147483648; since=5abc was read as 5.
  EXPECT_FALSE(parse_number("nan"));
  EXPECT_FALSE(parse_number("inf"));
  EXPECT_FALSE(parse_number("-inf"));
  EXPECT_FALSE(parse_number("5abc"));
  EXPECT_FALSE(parse_number("abc"));
  EXPECT_FALSE(parse_number(""));
  EXPECT_FALSE(parse_number("1e999"));  // overflows to infinity
  EXPECT_EQ(parse_number("50"), 50);
  EXPECT_EQ(parse_number("-3.5"), -3.5);
  EXPECT_EQ(parse_number("1.7e9"), 1.7e9);
}

TEST(ControlCharacters, NulNewlineAndDelAreRefused) {
  EXPECT_TRUE(has_control_characters(std::string("ghost\0x", 7)));
  EXPECT_TRUE(has_control_characters("a\nb"));
  EXPECT_TRUE(has_control_characters("a\x7f"));
  EXPECT_FALSE(has_control_characters("opérateur-1 (nuit)"));  // UTF-8 is text
}

TEST(JsonContentType, OnlyApplicationJson) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_content_type("text/plain"));  // a cross-site form can send this without a preflight
  EXPECT_FALSE(is_json_content_type(""));
  EXPECT_FALSE(is_json_content_type("application/jsonx"));
}

TEST(SameOrigin, AForeignOriginIsRefused) {
  EXPECT_FALSE(same_origin("http://evil.example", "", "127.0.0.1:8080", false));
  EXPECT_TRUE(same_origin("http://127.0.0.1:8080", "", "127.0.0.1:8080", false));
  EXPECT_FALSE(same_origin("http://127.0.0.1:8080", "", "127.0.0.1:8080", true));  // scheme counts
  EXPECT_TRUE(same_origin("https://csu.example:8443", "", "csu.example:8443", true));
  EXPECT_FALSE(same_origin("null", "", "127.0.0.1:8080", false));
  EXPECT_FALSE(same_origin("", "cross-site", "127.0.0.1:8080", false));
  EXPECT_TRUE(same_origin("", "same-origin", "127.0.0.1:8080", false));
  EXPECT_TRUE(same_origin("", "", "127.0.0.1:8080", false));  // curl: no browser cookie to ride
}

TEST(RangeParts, CountsTheRanges) {
  EXPECT_EQ(range_parts(""), 0);
  EXPECT_EQ(range_parts("bytes=0-99"), 1);
  EXPECT_EQ(range_parts("bytes=0-1,2-3,4-5"), 3);
}

}  // namespace
}  // namespace vigie::server
