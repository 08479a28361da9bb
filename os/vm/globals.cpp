// globals.cpp: the kernel's one frame array and one vpage pool. Plain
// globals (no namespace) so that their symbols are simply "g_frame_array"
// and "g_vpages" in the Bochs debugger. Compiled for host tests too.
#include "vm/frame_array.h"
#include "vm/vpage.h"

FrameArray g_frame_array;
VPagePool g_vpages;

FrameArray& frames() { return g_frame_array; }
VPagePool& vpages() { return g_vpages; }
