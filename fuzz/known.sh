#!/usr/bin/env bash
# Replays the reproducers of known open bugs (fuzz/known/<target>/) with any harness
# tolerance for them off (VIGIE_FUZZ_STRICT=1), 10 s each (a hang is a bug too: libFuzzer
# does not time out a replayed file). A reproducer that passes is fixed: move it
# to fuzz/regressions/<target>/ and drop the tolerance from the harness. Exit 1 while any
# fails; with none, says so and succeeds.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:?usage: fuzz/known.sh BUILD_DIR}
export VIGIE_FUZZ_STRICT=1
open=0
found=0
for f in fuzz/known/*/*; do
  [ -f "$f" ] || continue
  case "$f" in *.md) continue ;; esac
  found=1
  t=$(basename "$(dirname "$f")")
  if timeout 10 "$BUILD/fuzz/fuzz_$t" -timeout=10 "$f" >/dev/null 2>&1; then
    echo "fixed       $f"
  else
    echo "still fails $f"
    open=1
  fi
done
[ $found -eq 0 ] && echo "fuzz: no known open bugs (fuzz/known/ is empty)"
exit $open
