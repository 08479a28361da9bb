#include "vm/vm.h"

#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/kernel_memory.h"
#include "kernel/memory_map.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/reclaim.h"
#include "vm/vpage.h"
#include "lib/verify.h"

namespace vm {

void init(const MemoryMap& free_memory)
{
    // The vpage pool gets half of the heap: 16 bytes (+1 bit) per vpage.
    uint32_t capacity = uint32_t(kernel_heap().bytes_free() / 2 / (sizeof(VPage) + 1));
    void* storage = kmalloc(VPagePool::storage_bytes(capacity));
    VERIFY(storage);
    vpages().init(storage, capacity);
    AddressSpace::set_kernel_directory(kernel_memory::kernel_directory());
    kprintf("vm: vpage pool of %u vpages (%u bytes each)\n", capacity, unsigned(sizeof(VPage)));

    if (!frames().init(free_memory)) {
        kprintf("vm: no frame array (lab 1 not done?): the VM layers are off\n");
        return;
    }
    kprintf("vm: frame array of %u frames (%u KiB of descriptors at 0x%08llx), %u free\n",
        frames().frames_total(), unsigned(frames().storage().size() >> 10),
        (unsigned long long)frames().storage().base, frames().frames_free());
    init_collector();
}

} // namespace vm
