#!/usr/bin/env bash
# vigie against its peer, the `motion` daemon (Debian motion 4.5), on one camera's stream at
# the same time: motion detecting only (no pictures, movies or streams), and motion also
# recording every moment by passthrough; FFmpeg decoding the same stream is the floor
# every analysis pays. vigie-camsim serves vtest.avi
# (768x576, 10 fps), encoded once as H.264 and sent by stream copy, as one RTSP camera;
# all read it side by side for SECONDS after a warm-up. CPU from /proc (user +
# system time of each process and its threads), as a share of one core and as ratios to
# motion and to the decoder measured in the same run.
#   bench/peer_motion.sh [BUILD] [SECONDS] [ANALYZE_FPS]
# vigie runs `vigie serve` with the model-free motion detector and one zone rule, as issue
# 12 measured it; installs Debian's motion when it is missing (needs root).
set -euo pipefail
BUILD=${1:-build}
S=${2:-60}
FPS=${3:-10}
VIGIE="$(cd "$BUILD" && pwd)/vigie"
CAMSIM="$(cd "$BUILD" && pwd)/vigie-camsim"
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
OUT=$(pwd)/out/bench/peer-motion
rm -rf "$OUT" && mkdir -p "$OUT"
[ -x "$VIGIE" ] && [ -x "$CAMSIM" ] || { echo "bench: build vigie and vigie-camsim first (make build)" >&2; exit 2; }
if ! command -v motion >/dev/null; then
  echo "installing Debian's motion (apt-get install motion)"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -q motion ||
         { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q motion; }; } >"$OUT/apt.log" 2>&1; then
    echo "skipped: Debian's motion cannot be installed here (root and the Debian archive needed; $OUT/apt.log)"
    exit 0
  fi
fi
scripts/camsim-encode "$VTEST" "$OUT/vtest.mp4"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RTSP=$(free_port)
WEB=$(free_port)
URL="rtsp://127.0.0.1:$RTSP/cam"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

"$CAMSIM" --loop --port "$RTSP" "cam=$OUT/vtest.mp4" >"$OUT/camsim.log" 2>&1 &
pids+=($!)
sleep 2

# The floor: FFmpeg decoding every frame and throwing it away.
ffmpeg -v error -rtsp_transport tcp -i "$URL" -f null - >"$OUT/ffmpeg.log" 2>&1 &
DECODE=$!
pids+=($DECODE)

# motion: detection only, at the stream's size and rate.
mkdir -p "$OUT/motion"
cat >"$OUT/motion.conf" <<EOF
daemon off
setup_mode off
log_level 4
log_file $OUT/motion.log
target_dir $OUT/motion
pid_file $OUT/motion.pid
netcam_url $URL
netcam_params rtsp_transport = tcp
width 768
height 576
framerate 10
threshold 1500
picture_output off
movie_output off
snapshot_interval 0
stream_port 0
webcontrol_port 0
EOF
motion -n -c "$OUT/motion.conf" >"$OUT/motion.out" 2>&1 &
MOTION=$!
pids+=($MOTION)
# motion recording the stream continuously, by stream copy as vigie does (passthrough:
# the camera's packets, not re-encoded; emulate_motion: every moment, not only events):
# the like-for-like peer of vigie "with recording on".
mkdir -p "$OUT/motion-rec"
sed "s#$OUT/motion\b#$OUT/motion-rec#g" "$OUT/motion.conf" >"$OUT/motion-rec.conf"
printf '%s\n' 'emulate_motion on' 'movie_output on' 'movie_passthrough on' 'movie_max_time 60' >>"$OUT/motion-rec.conf"
motion -n -c "$OUT/motion-rec.conf" >"$OUT/motion-rec.out" 2>&1 &
MOTION_REC=$!
pids+=($MOTION_REC)

# vigie: the model-free motion detector, one zone rule, alerts and tracks stored.
cat >"$OUT/site.yaml" <<EOF
server: { listen: '127.0.0.1:$WEB' }
store: { path: '$OUT/vigie.db' }
detect: { type: motion }
cameras:
  cam:
    input: $URL
    analyze_fps: $FPS
    zones:
      path: [[0, 100], [768, 100], [768, 576], [0, 576]]
    rules:
      - { type: zone_intrusion, zone: path, objects: [object], min_seconds: 1 }
EOF
"$VIGIE" serve --config "$OUT/site.yaml" >"$OUT/serve.log" 2>&1 &
VIGIE_PID=$!
pids+=($VIGIE_PID)
# The same without alert clips (each alert's clip is re-encoded from a JPEG ring today):
# what the clips cost. Its own outbox and media: one process per camera outbox.
WEB2=$(free_port)
sed -e "s/listen: '127.0.0.1:$WEB'/listen: '127.0.0.1:$WEB2'/" -e "s#store: { path: '\([^']*\)' }#store: { path: '$OUT/noclips.db', outbox: outbox-noclips, media: media-noclips, clip_pre_s: 0, clip_post_s: 0 }#" \
  "$OUT/site.yaml" >"$OUT/noclips.yaml"
"$VIGIE" serve --config "$OUT/noclips.yaml" >"$OUT/serve-noclips.log" 2>&1 &
NOCLIPS=$!
pids+=($NOCLIPS)
# The default camera again, recording continuously (stream copy into sealed segments):
# issue 12's "model-free camera with recording on". Its alert clips are cut from the
# recording when played, so it keeps no JPEG ring.
WEB3=$(free_port)
sed -e "s/listen: '127.0.0.1:$WEB'/listen: '127.0.0.1:$WEB3'/" \
  -e "s#store: { path: '\([^']*\)' }#store: { path: '$OUT/record.db', outbox: outbox-record, media: media-record }#" \
  -e "s#    analyze_fps: #    record: true\n    analyze_fps: #" "$OUT/site.yaml" >"$OUT/record.yaml"
echo "recording: { folder: recordings-record }" >>"$OUT/record.yaml"
"$VIGIE" serve --config "$OUT/record.yaml" >"$OUT/serve-record.log" 2>&1 &
RECORD=$!
pids+=($RECORD)

sleep 8  # connected, backgrounds learnt
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for p in $DECODE $MOTION $MOTION_REC $VIGIE_PID $NOCLIPS $RECORD; do
  kill -0 "$p" 2>/dev/null || { echo "bench: a reader died before the measurement (logs in $OUT)" >&2; exit 1; }
done
d0=$(cpu $DECODE) m0=$(cpu $MOTION) mr0=$(cpu $MOTION_REC) v0=$(cpu $VIGIE_PID) n0=$(cpu $NOCLIPS) r0=$(cpu $RECORD) t0=$(date +%s.%N)
sleep "$S"
d1=$(cpu $DECODE) m1=$(cpu $MOTION) mr1=$(cpu $MOTION_REC) v1=$(cpu $VIGIE_PID) n1=$(cpu $NOCLIPS) r1=$(cpu $RECORD) t1=$(date +%s.%N)
metric() {  # PORT NAME: the sum of a metric's series, 0 when the server does not answer
  { curl -sf "http://127.0.0.1:$1/metrics" || true; } | awk -v m="^$2" '$0 ~ m {s += $2} END {print s + 0}'
}
analysed=$(metric "$WEB" vigie_camera_frames_analysed_total)
alerts=$(metric "$WEB" vigie_alerts_total)
analysed2=$(metric "$WEB2" vigie_camera_frames_analysed_total)
analysed3=$(metric "$WEB3" vigie_camera_frames_analysed_total)
if [ "${analysed:-0}" -eq 0 ] || [ "${analysed2:-0}" -eq 0 ] || [ "${analysed3:-0}" -eq 0 ]; then
  echo "bench: a vigie analysed nothing (logs in $OUT: serve.log, serve-noclips.log, serve-record.log)" >&2
  exit 1
fi
recorded=$(du -sb "$OUT/recordings-record" 2>/dev/null | cut -f1 || echo 0)
[ "${recorded:-0}" -gt 0 ] || { echo "bench: the recording vigie wrote nothing (logs in $OUT: serve-record.log)" >&2; exit 1; }
motion_recorded=$(du -sb "$OUT/motion-rec" | cut -f1)
[ "${motion_recorded:-0}" -gt 0 ] || { echo "bench: the recording motion wrote nothing (logs in $OUT: motion-rec.log)" >&2; exit 1; }
awk -v tick="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" -v d=$((d1 - d0)) -v m=$((m1 - m0)) -v mr=$((mr1 - mr0)) -v motion_recorded="$motion_recorded" -v v=$((v1 - v0)) \
  -v n=$((n1 - n0)) -v r=$((r1 - r0)) -v recorded="$recorded" -v analysed3="$analysed3" -v fps="$FPS" -v analysed="$analysed" -v analysed2="$analysed2" -v alerts="$alerts" 'BEGIN {
    t = t1 - t0
    d /= tick * t; m /= tick * t; mr /= tick * t; v /= tick * t; n /= tick * t; r /= tick * t
    if (m <= 0 || d <= 0) { print "bench: motion or the decoder used no CPU: did it read the stream? (logs in the output folder)"; exit 1 }
    printf "one camera (vtest.avi 768x576, 10 fps, H.264 over RTSP), %.0f s, share of one core:\n", t
    printf "  ffmpeg decode only      %5.1f %%\n", 100 * d
    printf "  motion (detection)      %5.1f %%\n", 100 * m
    printf "  motion, recording       %5.1f %%   (detection, and every moment recorded by passthrough: %.1f MB)\n", 100 * mr, motion_recorded / 1e6
    printf "  vigie serve             %5.1f %%   (motion detector, one zone rule, analyze_fps %s: %d frames, %d alerts in all)\n", 100 * v, fps, analysed, alerts
    printf "  vigie serve, no clips   %5.1f %%   (the same, clip_pre_s and clip_post_s 0: %d frames)\n", 100 * n, analysed2
    printf "  vigie serve, recording  %5.1f %%   (record: true, clips from the recording: %d frames, %.1f MB recorded)\n", 100 * r, analysed3, recorded / 1e6
    printf "  vigie / motion          %5.2fx   (no clips: %.2fx; recording: %.2fx)\n", v / m, n / m, r / m
    printf "  vigie / decode          %5.2fx   (no clips: %.2fx; recording: %.2fx)\n", v / d, n / d, r / d
    if (mr > 0) printf "  vigie recording / motion recording  %5.2fx\n", r / mr
  }' | tee "$OUT/result.txt"
