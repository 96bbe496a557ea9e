#include "core/bounded_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace vigie {
using namespace std::chrono_literals;

TEST(BoundedQueue, FullQueueDropsOldestAndCounts) {
  BoundedQueue<int> q(2);
  EXPECT_TRUE(q.push(1));
  EXPECT_TRUE(q.push(2));
  EXPECT_FALSE(q.push(3));
  EXPECT_EQ(q.drops(), 1u);
  EXPECT_EQ(q.pop(0ms), 2);
  EXPECT_EQ(q.pop(0ms), 3);
  EXPECT_EQ(q.pop(0ms), std::nullopt);
}

TEST(BoundedQueue, CloseWakesConsumerAfterDraining) {
  BoundedQueue<int> q(4);
  q.push(7);
  std::thread producer([&] { q.close(); });
  producer.join();
  EXPECT_EQ(q.pop(1s), 7);
  EXPECT_EQ(q.pop(1s), std::nullopt);
  EXPECT_TRUE(q.closed());
}

}  // namespace vigie
