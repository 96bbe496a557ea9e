#include "core/frame_memory.h"

#include <malloc.h>

namespace vigie {

bool keep_freed_frames_in_process() {
  // 32 MB is glibc's largest mmap threshold on 64-bit: it holds a 4K frame (3840×2160×3).
  constexpr int kLargestHeapBlock = 32 << 20;
  // Room for a few cameras' frames in flight before the heap shrinks.
  constexpr int kFreedMemoryKept = 128 << 20;
  return mallopt(M_MMAP_THRESHOLD, kLargestHeapBlock) == 1 && mallopt(M_TRIM_THRESHOLD, kFreedMemoryKept) == 1;
}

}  // namespace vigie
