#!/usr/bin/env bash
# Incident risk forecasting on the Vancouver records (issue 14; docs/risk.md): every model
# trained on 2020–2022 and scored on each day of 2023, overall and per type; the factors;
# the report and the map. Times on one core (taskset -c 0), against reading the records
# alone (the same import, no model) in the same run.
#   bench/risk.sh [BUILD] [OUT]   (also `make risk`)
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-out/risk}
VIGIE="$(cd "$BUILD" && pwd)/vigie"
D="${VIGIE_SHARED_DATA:-../shared/data}/incidents"
[ -d "$D/vancouver" ] || { echo "risk: $D/vancouver is absent (../shared/data)" >&2; exit 2; }
mkdir -p "$OUT"
V=(--incidents "$D/vancouver" --train 2020:2022 --test 2023:2023)
# Wall seconds of a command on core 0 (its exit status ignored: the baseline ends in a usage error).
secs() { /usr/bin/time -q -f %e -o "$OUT/.t" taskset -c 0 "$@" >"$OUT/.o" 2>"$OUT/.e" || true; tail -1 "$OUT/.t"; }
# The baseline: the same import, then a --type that matches nothing (exit 2 before any model).
read_only=$(secs "$VIGIE" risk eval "${V[@]}" --type "no such type")
all=$(secs "$VIGIE" risk eval "${V[@]}" --json)
cp "$OUT/.o" "$OUT/eval.json"
echo "Vancouver, train 2020–2022, daily forecasts of 2023 (vigie risk eval --train 2020:2022 --test 2023:2023):"
"$VIGIE" risk eval "${V[@]}" 2>/dev/null | sed 's/^/    /'
echo
echo "One core: reading the records alone ${read_only} s; reading, fitting every model and forecasting 300 days ${all} s."
echo
echo "Per type (vigie risk eval … --by-type):"
"$VIGIE" risk eval "${V[@]}" --by-type 2>/dev/null | sed 's/^/    /'
"$VIGIE" risk eval "${V[@]}" --by-type --json 2>/dev/null >"$OUT/eval-by-type.json"
echo
echo "Factors, 2020 to 2023-10-27 (vigie risk factors --span 2020:2023):"
"$VIGIE" risk factors --incidents "$D/vancouver" --weather "$D/vancouver_weather" --span 2020:2023 2>&1 | sed 's/^/    /'
"$VIGIE" risk report "${V[@]}" --out "$OUT/report.html" 2>/dev/null
"$VIGIE" risk map "${V[@]}" --model kde --geojson "$OUT/risk.geojson" --png "$OUT/risk.png" 2>/dev/null
echo
echo "Written: $OUT/report.html, $OUT/risk.geojson, $OUT/risk.png, $OUT/eval.json, $OUT/eval-by-type.json"
rm -f "$OUT/.t" "$OUT/.o" "$OUT/.e"
