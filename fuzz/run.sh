#!/usr/bin/env bash
# Runs vigie's fuzz targets one after the other (one core), each for a time budget.
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]      (default: every target built)
# Env: FUZZ_RUNS=N also stops a target after N executions. Per target: the regressions in
# fuzz/regressions/<target>/ are replayed first (each must pass), then the fuzzer runs on
# BUILD_DIR/fuzz-corpus/<target> (new inputs land there) seeded from fuzz/corpus/<target>;
# a crash is saved to BUILD_DIR/fuzz-artifacts/<target>/. Exit 1 if any target failed.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
SECONDS_EACH=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  for t in config city_osm city_cameras mot labels media_headers outbox risk_records drone_telemetry sealed_recording plate_characters scancar_inputs http; do
    [ -x "$BUILD/fuzz/fuzz_$t" ] && TARGETS+=("$t")
  done
fi

# Longest input per target: enough for a real example of the format, small enough to
# keep an execution well under a millisecond or two.
max_len() {
  case "$1" in
    city_osm) echo 8192 ;; media_headers) echo 8192 ;; mot | labels) echo 2048 ;; *) echo 4096 ;;
  esac
}

summary=()
failed=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/fuzz/fuzz_$t"
  if [ ! -x "$bin" ]; then echo "fuzz: $bin is not built" >&2; failed=1; continue; fi
  work="$BUILD/fuzz-corpus/$t"; art="$BUILD/fuzz-artifacts/$t/"; log="$BUILD/fuzz-logs/$t.log"
  mkdir -p "$work" "$art" "$(dirname "$log")"
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    if ! "$bin" -timeout=10 fuzz/regressions/"$t"/* >"$log.regressions" 2>&1; then
      echo "fuzz: $t: a regression input fails again (log: $log.regressions)" >&2
      grep -E "^Running:|SUMMARY|ERROR" "$log.regressions" | tail -5 >&2
      summary+=("$(printf '%-14s %12s %8s %6s %7s  %s' "$t" - - - - "REGRESSION FAILS")")
      failed=1
      continue
    fi
  fi
  args=(-max_total_time="$SECONDS_EACH" -timeout=10 -max_len="$(max_len "$t")" -rss_limit_mb=2560
        -print_final_stats=1 -artifact_prefix="$art")
  [ -n "${FUZZ_RUNS:-}" ] && args+=(-runs="$FUZZ_RUNS")
  [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
  echo "fuzz: $t: running for up to ${SECONDS_EACH}s …" >&2
  start=$(date +%s)
  # media_headers: libav's large per-input buffers filled AddressSanitizer's quarantine of
  # freed memory (2.3 GB quarantined against 29 MB live when the RSS limit stopped a run
  # at 628k executions); a smaller quarantine keeps use-after-free detection for recent frees.
  asan=${ASAN_OPTIONS:-}
  [ "$t" = media_headers ] && asan="quarantine_size_mb=64${asan:+:$asan}"
  ASAN_OPTIONS=$asan "$bin" "${args[@]}" "$work" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$work" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    result="ok"
  else
    result="CRASH (rc $rc; log $log; input in $art)"
    failed=1
    grep -E "ERROR:|SUMMARY:|terminate called|what\(\)" "$log" | head -5 >&2
  fi
  summary+=("$(printf '%-14s %12s %8s %6s %7s  %s' "$t" "${execs:-?}" "${rate:-?}" "$took" "$corpus" "$result")")
done

printf '%-14s %12s %8s %6s %7s  %s\n' target executions exec/s secs corpus result
printf '%s\n' "${summary[@]}"
exit $failed
