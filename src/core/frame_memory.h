// Video frames are megabytes each (768×576 BGR: 1.3 MB; 4K: 25 MB) and every stage makes
// and frees some on each frame. glibc maps blocks that large straight from the kernel and
// gives them back on free, so each new frame's pages are faulted in again, zeroed by the
// kernel: on a virtual machine that was a sixth of a model-free camera's CPU (docs/
// BENCHMARKS.md). Keeping freed frames in the process lets the next frame reuse them.
#pragma once

namespace vigie {

// Blocks up to 32 MB come from the heap, and the heap keeps up to 128 MB of freed memory
// instead of returning it. Call once, first thing in main, before any thread starts.
// False if the C library refused (the process then runs as before, only slower).
bool keep_freed_frames_in_process();

}  // namespace vigie
