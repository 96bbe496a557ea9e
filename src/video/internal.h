// Constructors of the concrete sources; open_source() chooses among them.
#pragma once

#include "video/source.h"

namespace vigie::video {

Result<std::unique_ptr<Source>> open_ffmpeg_source(const std::string& input,
                                                   const SourceOptions& options);
Result<std::unique_ptr<Source>> open_image_folder(const std::string& dir,
                                                  const SourceOptions& options);

}  // namespace vigie::video
