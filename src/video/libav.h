// libav's process-wide settings, set once by every part of vigie that opens libav
// (sources, the audio decoder, the clip writer).
#pragma once

#include <string>

namespace vigie::video {

// Its own log lines off (vigie reports causes in its one-line errors), and no single
// allocation above 256 MB (an 8K RGB frame is 100 MB): a lying header (a WAV LIST chunk of
// 4 GB) is refused instead of costing seconds and memory. Thread-safe; the first call sets.
void set_libav_defaults();

// libav's words for one of its error codes (AVERROR(...)).
std::string av_error_text(int code);

}  // namespace vigie::video
