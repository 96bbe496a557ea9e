# Shell functions shared by the labelled audio set generators (make-audio-set,
# make-recorded-audio-set): Debian's sox, espeak-ng and bc only. Source it after setting
# R (sample rate), TMP (a scratch folder) and cd-ing into the output folder.

# Street-like background: brown + pink noise, slowly modulated, at LEVEL dBFS RMS (default
# -42, about 58 dB SPL with vigie's uncalibrated offset).
# sox -R repeats the same noise every time: the seed picks where in a longer noise the
# file starts (and the rate of its modulation), so that streets differ.
street() {  # street OUT SECONDS SEED [LEVEL]
  local skip=$(( $3 * 7919 % 97 ))
  sox -R -n -r $R -c 1 "$TMP/b0.wav" synth $(( ${2%.*} + 1 + skip )) brownnoise \
    synth $(( ${2%.*} + 1 + skip )) pinknoise mix trim "$skip" "$2" tremolo 0.$(( $3 % 7 + 1 )) 30
  rms_to "$TMP/b0.wav" "$1" "${4:--42}"
}
# Vehicles passing: low-passed noise swelling over 3-5 s and fading again, one every
# 12-20 s, peaking PEAK dB above LEVEL (a car or a bus near the microphone).
traffic() {  # traffic OUT SECONDS SEED LEVEL PEAK
  local out=$1 secs=$2 seed=$3 level=$4 peak=$5 at=$(( $3 % 3 )) k=0
  street "$TMP/tr.wav" "$secs" "$seed" "$level"
  while [ "$(echo "$at + 4 < $secs" | bc -l)" = 1 ]; do   # a vehicle starts 4 s before the end at the latest
    local rise=$(( 3 + (seed + k) % 3 )) boost=$(( peak - (seed + k) % 4 * 2 ))
    sox -R -n -r $R -c 1 "$TMP/car.wav" synth $(( 2 * rise )) brownnoise synth $(( 2 * rise )) pinknoise mix \
      lowpass $(( 700 + (seed + k) % 5 * 300 )) fade q "$rise" $(( 2 * rise )) "$rise"
    rms_to "$TMP/car.wav" "$TMP/car2.wav" "$(( level + boost - 4 ))"   # RMS of the swell ≈ peak - 4 dB
    mixin "$TMP/tr.wav" "$TMP/car2.wav" "$at" "$TMP/tr2.wav"
    mv "$TMP/tr2.wav" "$TMP/tr.wav"
    at=$(( at + rise * 2 + 6 + (seed + k) % 7 )); k=$(( k + 1 ))
  done
  mv "$TMP/tr.wav" "$out"
}
# Speech from espeak-ng at a given RMS level (dBFS) and pitch (0..99).
say() {  # say OUT LEVEL PITCH VOICE TEXT...
  local out=$1 level=$2 pitch=$3 voice=$4; shift 4
  espeak-ng -v "$voice" -p "$pitch" -s 150 -w "$TMP/say.wav" "$*"
  sox "$TMP/say.wav" -r $R -c 1 "$TMP/say16.wav"
  rms_to "$TMP/say16.wav" "$out" "$level"
}
# People talking at normal level: four sentences one after another, at LEVEL dBFS, by
# men and women (espeak-ng's female variants, pitch about 200-260 Hz) in turn.
talk() {  # talk OUT SEED [LEVEL]
  local k voice
  for k in 0 1 2 3; do
    voice=${VOICES[$(( ($2 + k) % 6 ))]}
    [ $(( ($2 + k) % 2 )) -eq 1 ] && voice="$voice+f$(( 1 + k % 4 ))"
    say "$TMP/t$k.wav" "${3:--38}" $(( 30 + 10 * k )) "$voice" "${SENTENCES[$(( ($2 + k) % 6 ))]}"
  done
  sox "$TMP/t0.wav" "$TMP/t1.wav" "$TMP/t2.wav" "$TMP/t3.wav" "$1"
}
# Places EVENT into BACKGROUND at AT seconds.
mixin() {  # mixin BACKGROUND EVENT AT OUT
  sox "$2" "$TMP/pad.wav" pad "$3"
  sox -m -v 1 "$1" -v 1 "$TMP/pad.wav" "$4" trim 0 "$(soxi -D "$1")"   # -v 1: sum, not average
}
length() { soxi -D "$1"; }
# RMS level of a file, dBFS.
rms_of() { sox "$1" -n stats 2>&1 | awk '/RMS lev dB/ {print $4}'; }
# Scales IN to an RMS level of LEVEL dBFS (sox's own gain -n sets the peak, not the RMS).
rms_to() {  # rms_to IN OUT LEVEL
  sox "$1" "$2" gain "$(echo "$3 - ($(rms_of "$1"))" | bc -l)"
}
label() { echo "$1,$2,$3,$4" >> "${LABELS:-labels.csv}"; }  # label FILE START END KIND

SENTENCES=("the bus to the old port leaves in five minutes" "could you tell me where the station is"
           "we will meet at the market after lunch" "the weather is fine today but it may rain tonight"
           "please keep your tickets until the end of the journey" "i think the shop closes at seven")
VOICES=(en en-us fr de es it)

# A background of one of three kinds by N % 3: street noise; street noise with people
# talking at normal level (4 dB above the street); street noise with vehicles passing
# (10-16 dB above it at their closest). LEVEL: the street's dBFS RMS.
background() {  # background OUT N [LEVEL] [SECONDS]
  local out=$1 n=$2 level=${3:--42} secs=${4:-90}
  case $(( n % 3 )) in
    0) street "$out" "$secs" "$n" "$level" ;;
    1) street "$TMP/bs.wav" "$secs" "$n" "$level"
       talk "$TMP/talk.wav" "$n" $(( level + 4 ))
       mixin "$TMP/bs.wav" "$TMP/talk.wav" $(( (5 + n % 20) % (secs / 2) )) "$out" ;;
    2) traffic "$out" "$secs" "$n" "$level" 16 ;;
  esac
}
