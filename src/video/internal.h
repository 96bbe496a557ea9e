// Constructors of the concrete sources; open_source() chooses among them.
#pragma once

#include "video/source.h"

namespace vigie::video {

Result<std::unique_ptr<Source>> open_ffmpeg_source(const std::string& input,
                                                   const SourceOptions& options);
Result<std::unique_ptr<Source>> open_image_folder(const std::string& dir,
                                                  const SourceOptions& options);

// Decoding threads for a video of width × height at `fps` frames a second (0 for what is
// not known): 0 (libav's choice, one per CPU) or 1. A live stream comes no faster than
// its rate, and one thread decodes up to 1080p at 30 fps in real time without the
// hand-offs between frame threads (a camera's CPU 6 % lower, docs/BENCHMARKS.md); a file
// is read as fast as it decodes, and a larger or unknown live stream needs the threads.
int decoding_threads(bool live, int width, int height, double fps);

}  // namespace vigie::video
