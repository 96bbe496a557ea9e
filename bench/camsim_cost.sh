#!/usr/bin/env bash
# The cost of a simulated camera: vigie-camsim serving N cameras (one RTSP client each,
# FFmpeg reading by stream copy) for S seconds, from vtest.avi re-encoded per client
# (x264) and from the same clip encoded once as H.264 (stream copy). Reports camsim's CPU
# seconds per camera-second (from /proc, so a busy machine slows it but does not bill it)
# and the share of the frames the clients should have received that they did.
#   bench/camsim_cost.sh [BUILD] [N] [SECONDS]
set -euo pipefail
BUILD=${1:-build}
N=${2:-50}
S=${3:-20}
CAMSIM="$(cd "$BUILD" && pwd)/vigie-camsim"
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
OUT=out/bench/camsim
mkdir -p "$OUT"
[ -x "$CAMSIM" ] || { echo "bench: $CAMSIM is not built" >&2; exit 2; }
[ -f "$OUT/vtest.mp4" ] || scripts/camsim-encode "$VTEST" "$OUT/vtest.mp4"
fps=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$VTEST" | awk -F/ '{print $1/($2?$2:1)}')
tick=$(getconf CLK_TCK)

measure() {  # FILE LABEL
  local file=$1 label=$2 port=$((20000 + RANDOM % 20000)) args=()
  for i in $(seq 1 "$N"); do args+=("c$i=$file"); done
  "$CAMSIM" --loop --port "$port" "${args[@]}" >"$OUT/$label.camsim.log" 2>&1 &
  local pid=$!
  sleep 2
  local before; before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  local clients=()
  for i in $(seq 1 "$N"); do
    timeout $((S + 10)) ffmpeg -v error -rtsp_transport tcp -i "rtsp://127.0.0.1:$port/c$i" -t "$S" -c copy \
      -f framecrc "$OUT/$label.$i.crc" &
    clients+=($!)
  done
  wait "${clients[@]}" || true
  local after; after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local frames; frames=$(cat "$OUT"/"$label".*.crc | grep -vc '^#' || true)
  rm -f "$OUT"/"$label".*.crc
  awk -v cpu=$((after - before)) -v tick="$tick" -v n="$N" -v s="$S" -v f="$frames" -v fps="$fps" -v l="$label" \
    'BEGIN { printf "%-12s %3d cameras  camsim CPU %.4f s per camera-second  frames received %.0f%% of %d x %ds x %.1f/s\n",
             l, n, cpu / tick / (n * s), 100 * f / (n * s * fps), n, s, fps }'
}

echo "camsim cost ($N cameras, ${S}s, one RTSP client each; vtest.avi $fps frames/s)"
measure "$VTEST" re-encode
measure "$OUT/vtest.mp4" stream-copy
