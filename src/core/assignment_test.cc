#include "core/assignment.h"

#include <gtest/gtest.h>

namespace vigie {
using Pairs = std::vector<std::pair<int, int>>;

TEST(Assignment, FindsTheOptimumNotTheGreedyChoice) {
  // Greedy takes (0,0)=1 then (1,1)=10: total 11. The optimum is (0,1)+(1,0) = 2+3.
  EXPECT_EQ(solve_assignment({{1, 2}, {3, 10}}, 100), (Pairs{{0, 1}, {1, 0}}));
}

TEST(Assignment, ForbiddenPairsAreNeverReturned) {
  EXPECT_EQ(solve_assignment({{0.1, 5}, {5, 5}}, 1.0), (Pairs{{0, 0}}));
}

TEST(Assignment, RectangularBothWays) {
  EXPECT_EQ(solve_assignment({{5, 1, 9}}, 10), (Pairs{{0, 1}}));
  EXPECT_EQ(solve_assignment({{5}, {1}, {9}}, 10), (Pairs{{1, 0}}));
}

TEST(Assignment, ForbiddenPairDoesNotDisplaceAllowedOnes) {
  // Row 1 can only take col 0; row 0 can take either. Both must be assigned.
  EXPECT_EQ(solve_assignment({{0.5, 0.6}, {0.1, 99}}, 1.0), (Pairs{{0, 1}, {1, 0}}));
}

TEST(Assignment, EmptyInput) { EXPECT_TRUE(solve_assignment({}, 1).empty()); }

}  // namespace vigie
