#include "vm/vm.h"

#include "kernel/console.h"
#include "kernel/memory_map.h"

namespace vm {

void init(const MemoryMap& free_memory)
{
    kprintf("vm: %u free ranges, %llu frames for the frame array\n", free_memory.range_count(),
        (unsigned long long)(free_memory.usable_bytes() / 4096));
}

} // namespace vm
