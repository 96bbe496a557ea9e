#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace vigie {
namespace {

using namespace std::chrono;

TEST(UuidV7, CarriesTheClockVersionAndVariant) {
  const auto t = system_clock::time_point(milliseconds(1'700'000'000'123));
  UuidV7 ids([t] { return t; });
  const std::string id = ids.next();
  ASSERT_TRUE(is_uuid(id)) << id;
  EXPECT_EQ(id[14], '7');                                   // version
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // variant 10xx
  EXPECT_EQ(uuid_v7_millis(id), 1'700'000'000'123);
}

// The defect: ids restarted at cam/rule/1 in every run, so a second run on the same store
// collided with the first.
TEST(UuidV7, TwoRunsStartingInTheSameMillisecondNeverCollide) {
  const auto t = system_clock::time_point(milliseconds(1'700'000'000'000));
  std::set<std::string> seen;
  for (int run = 0; run < 50; ++run) {
    UuidV7 ids([t] { return t; });
    for (int i = 0; i < 20; ++i) EXPECT_TRUE(seen.insert(ids.next()).second);
  }
}

TEST(UuidV7, IncreasesWhenTheClockStandsStillOrGoesBack) {
  auto t = system_clock::time_point(milliseconds(1'700'000'000'000));
  UuidV7 ids([&t] { return t; });
  std::string last = ids.next();
  for (int i = 0; i < 10'000; ++i) {  // more than one millisecond's 4,096 sequence numbers
    if (i == 5000) t -= seconds(3);   // NTP steps the clock back
    const std::string id = ids.next();
    ASSERT_GT(id, last) << i;
    last = id;
  }
  EXPECT_GE(uuid_v7_millis(last), 1'700'000'000'000);
}

TEST(UuidV7, IsThreadSafe) {
  UuidV7 ids;
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& m : made)
    threads.emplace_back([&ids, &m] {
      for (int i = 0; i < 1000; ++i) m.push_back(ids.next());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& m : made) all.insert(m.begin(), m.end());
  EXPECT_EQ(all.size(), 4000u);
}

TEST(UuidV7, RecognisesOnlyTheTextualForm) {
  EXPECT_FALSE(is_uuid("cam/rule/1"));
  EXPECT_FALSE(is_uuid("0190F3C2-6A1B-7C3D-8E4F-0123456789AB"));  // we write lower case
  EXPECT_EQ(uuid_v7_millis("0190f3c2-6a1b-4c3d-8e4f-0123456789ab"), -1);  // version 4
}

}  // namespace
}  // namespace vigie
