// Video frames are megabytes each (768×576 BGR: 1.3 MB; 4K: 25 MB) and every stage makes
// and frees some on each frame. By default glibc gives the heap back to the kernel once
// more than twice its largest block is free, so a pipeline that frees a few frames at once
// has each new frame's pages faulted in again, zeroed by the kernel: a sixth of `vigie
// analyze`'s CPU on a file (docs/BENCHMARKS.md). Keeping freed frames in the process lets
// the next frame reuse them.
#pragma once

namespace vigie {

// Blocks up to 32 MB come from the heap, and the heap keeps up to 128 MB of freed memory
// instead of returning it. Call once, first thing in main, before any thread starts.
// False if the C library refused (the process then runs as before, only slower).
bool keep_freed_frames_in_process();

}  // namespace vigie
