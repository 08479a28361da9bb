// Lab 1: the frame array. Read os/vm/frame_array.h first: it fixes the
// interface and the descriptor layout. handouts/lab1-frame-array.md has the
// background and the tasks.
#include "vm/frame_array.h"

#include "arch/mmu.h"
#include "arch/x86/paging.h"
#include "kernel/lab.h"
#include "lib/string.h"
#include "lib/verify.h"

namespace {
constexpr uint8_t kPoison = 0xA5; // freed frames are filled with this
}

Frame* FrameArray::at(uint32_t index) const
{
    return static_cast<Frame*>(mmu::phys_to_virt(uint32_t(m_storage.base))) + index;
}

bool FrameArray::init(const MemoryMap& free_memory)
{
    // TODO(lab 1): count the frames of free_memory, take the descriptor
    // array's own frames out of a copy of it (MemoryMap::take), record one
    // Span per remaining range, and push every frame on the free stack.
    (void)free_memory;
    LAB_TODO(1);
    return false;
}

uint32_t FrameArray::allocate()
{
    // TODO(lab 1): pop the top of the free stack; kNoFrame if it is empty.
    LAB_TODO(1);
    return kNoFrame;
}

void FrameArray::free(uint32_t physical)
{
    // TODO(lab 1): VERIFY the three errors of the contract, poison the
    // frame, and push it on the free stack.
    (void)physical;
    (void)kPoison;
    LAB_TODO(1);
}

Frame* FrameArray::descriptor(uint32_t physical)
{
    // TODO(lab 1): find the span holding the frame number; nullptr if none.
    (void)physical;
    LAB_TODO(1);
    return nullptr;
}

uint32_t FrameArray::physical(const Frame* frame) const
{
    // TODO(lab 1): from the descriptor's index in the array, through its
    // span, to the frame's physical address.
    (void)frame;
    LAB_TODO(1);
    return kNoFrame;
}

Frame* FrameArray::in_use(uint32_t physical, const char* operation)
{
    Frame* f = descriptor(physical);
    VERIFY_CONTRACT(f, operation, "the frame must be in use",
        "0x%08x is not a frame of the array", physical);
    VERIFY_CONTRACT(f->map_count != Frame::kFree, operation, "the frame must be in use",
        "frame 0x%08x is free", physical);
    return f;
}

uint32_t FrameArray::map_up(uint32_t physical)
{
    // TODO(lab 1)
    (void)physical;
    LAB_TODO(1);
    return 0;
}

uint32_t FrameArray::map_down(uint32_t physical)
{
    // TODO(lab 1)
    (void)physical;
    LAB_TODO(1);
    return 0;
}

uint32_t FrameArray::map_count(uint32_t physical) { return in_use(physical, "FrameArray::map_count")->map_count; }
uint32_t FrameArray::owner(uint32_t physical) { return in_use(physical, "FrameArray::owner")->vpage; }
void FrameArray::set_owner(uint32_t physical, uint32_t vpage) { in_use(physical, "FrameArray::set_owner")->vpage = vpage; }

bool FrameArray::is_free(uint32_t physical)
{
    Frame* f = descriptor(physical);
    return f && f->map_count == Frame::kFree;
}
