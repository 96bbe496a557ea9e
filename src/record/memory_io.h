// libav reading an MP4 held in memory (an unsealed segment): internal to src/record.
#pragma once

extern "C" {
#include <libavformat/avformat.h>
}

#include <string>

#include "core/result.h"

namespace vigie::record {

// An input format context over `bytes` (which outlive it); closed by its destructor.
class MemoryInput {
 public:
  explicit MemoryInput(const std::string& bytes) : bytes_(bytes) {}
  ~MemoryInput();
  MemoryInput(const MemoryInput&) = delete;
  MemoryInput& operator=(const MemoryInput&) = delete;
  // Opens it as MP4 and reads its streams' parameters; "" or why not.
  std::string open();
  AVFormatContext* format() const { return format_; }

 private:
  static int read(void* self, uint8_t* out, int size);
  static int64_t seek(void* self, int64_t offset, int whence);

  const std::string& bytes_;
  int64_t at_ = 0;
  AVFormatContext* format_ = nullptr;
  AVIOContext* io_ = nullptr;
};

}  // namespace vigie::record
