#include "vm/vm.h"

#include "kernel/console.h"
#include "kernel/memory_map.h"
#include "vm/frame_array.h"

// The kernel's one frame array. A plain global (not in a namespace) so that
// its symbol is simply "g_frame_array" in the Bochs debugger.
FrameArray g_frame_array;

FrameArray& frames() { return g_frame_array; }

namespace vm {

void init(const MemoryMap& free_memory)
{
    if (!g_frame_array.init(free_memory)) {
        kprintf("vm: no frame array (lab 1 not done?): the VM layers are off\n");
        return;
    }
    kprintf("vm: frame array of %u frames (%u KiB of descriptors at 0x%08llx), %u free\n",
        g_frame_array.frames_total(), unsigned(g_frame_array.storage().size() >> 10),
        (unsigned long long)g_frame_array.storage().base, g_frame_array.frames_free());
}

} // namespace vm
