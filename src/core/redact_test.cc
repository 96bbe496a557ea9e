#include "core/redact.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

TEST(WithoutPassword, HidesThePasswordOfAUrlAndNothingElse) {
  EXPECT_EQ(without_password("rtsp://admin:s3cret@10.0.0.7:554/stream1"), "rtsp://admin:***@10.0.0.7:554/stream1");
  EXPECT_EQ(without_password("rtsp://admin@10.0.0.7/stream1"), "rtsp://admin@10.0.0.7/stream1");  // no password
  EXPECT_EQ(without_password("rtsp://10.0.0.7/a:b@c"), "rtsp://10.0.0.7/a:b@c");  // an @ in the path is no userinfo
  EXPECT_EQ(without_password("/var/clips/a:b@c.mp4"), "/var/clips/a:b@c.mp4");    // a file
  EXPECT_EQ(without_password("http://u:p:q@h/"), "http://u:***@h/");
}

}  // namespace
}  // namespace vigie
