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
    // @solution-begin
    // 1. Count the frames, to size the descriptor array.
    uint64_t frames = 0;
    for (unsigned i = 0; i < free_memory.range_count(); ++i)
        frames += free_memory.range(i).size() / paging::kPageSize;
    if (frames == 0)
        return false;

    // 2. Take the array's own frames out of the memory it describes.
    MemoryMap memory = free_memory;
    uint64_t bytes = paging::page_round_up(frames * sizeof(Frame));
    uint64_t base;
    if (!memory.take(bytes, base))
        return false;
    m_storage = PhysRange { base, base + bytes };

    // 3. One span per range that is left; every frame starts free.
    m_span_count = 0;
    m_total = 0;
    m_free_top = 0;
    for (unsigned i = 0; i < memory.range_count(); ++i) {
        const PhysRange& r = memory.range(i);
        VERIFY(m_span_count < kMaxSpans);
        Span& s = m_spans[m_span_count++];
        s.first_pfn = uint32_t(r.base >> paging::kPageShift);
        s.count = uint32_t(r.size() >> paging::kPageShift);
        s.first_index = m_total;
        m_total += s.count;
    }
    // Push from the highest index down, so the lowest frames come out first.
    for (uint32_t index = m_total; index > 0; --index) {
        Frame* f = at(index - 1);
        f->vpage = m_free_top;
        f->map_count = Frame::kFree;
        m_free_top = index;
    }
    m_free_count = m_total;
    return true;
    // @solution-else
    // // TODO(lab 1): count the frames of free_memory, take the descriptor
    // // array's own frames out of a copy of it (MemoryMap::take), record one
    // // Span per remaining range, and push every frame on the free stack.
    // (void)free_memory;
    // LAB_TODO(1);
    // return false;
    // @solution-end
}

uint32_t FrameArray::allocate()
{
    // @solution-begin
    if (m_free_top == 0)
        return kNoFrame;
    Frame* f = at(m_free_top - 1);
    VERIFY_MSG(f->map_count == Frame::kFree, "frame array: the free stack holds a frame in use");
    uint32_t index = m_free_top - 1;
    m_free_top = f->vpage;
    f->vpage = 0;
    f->map_count = 0;
    --m_free_count;
    return physical(at(index));
    // @solution-else
    // // TODO(lab 1): pop the top of the free stack; kNoFrame if it is empty.
    // LAB_TODO(1);
    // return kNoFrame;
    // @solution-end
}

void FrameArray::free(uint32_t physical)
{
    // @solution-begin
    Frame* f = descriptor(physical);
    VERIFY_CONTRACT(f, "FrameArray::free", "the frame is in the array, not free already, and not mapped",
        "0x%08x is not a frame of the array", physical);
    VERIFY_CONTRACT(f->map_count != Frame::kFree, "FrameArray::free", "the frame is in the array, not free already, and not mapped",
        "double free of frame 0x%08x", physical);
    VERIFY_CONTRACT(f->map_count == 0, "FrameArray::free", "the frame is in the array, not free already, and not mapped",
        "frame 0x%08x is still mapped %u times", physical, f->map_count);
    memset(mmu::phys_to_virt(paging::page_round_down(physical)), kPoison, paging::kPageSize);
    uint32_t index = uint32_t(f - at(0));
    f->vpage = m_free_top;
    f->map_count = Frame::kFree;
    m_free_top = index + 1;
    ++m_free_count;
    // @solution-else
    // // TODO(lab 1): VERIFY the three errors of the contract, poison the
    // // frame, and push it on the free stack.
    // (void)physical;
    // (void)kPoison;
    // LAB_TODO(1);
    // @solution-end
}

Frame* FrameArray::descriptor(uint32_t physical)
{
    // @solution-begin
    uint32_t pfn = physical >> paging::kPageShift;
    for (unsigned i = 0; i < m_span_count; ++i) {
        const Span& s = m_spans[i];
        if (pfn >= s.first_pfn && pfn - s.first_pfn < s.count)
            return at(s.first_index + (pfn - s.first_pfn));
    }
    return nullptr;
    // @solution-else
    // // TODO(lab 1): find the span holding the frame number; nullptr if none.
    // (void)physical;
    // LAB_TODO(1);
    // return nullptr;
    // @solution-end
}

uint32_t FrameArray::physical(const Frame* frame) const
{
    // @solution-begin
    uint32_t index = uint32_t(frame - at(0));
    VERIFY_CONTRACT(index < m_total, "FrameArray::physical", "a descriptor of this frame array",
        "%p is not a descriptor", static_cast<const void*>(frame));
    for (unsigned i = 0; i < m_span_count; ++i) {
        const Span& s = m_spans[i];
        if (index - s.first_index < s.count)
            return (s.first_pfn + (index - s.first_index)) << paging::kPageShift;
    }
    PANIC("frame array: descriptor index %u is in no span", index);
    // @solution-else
    // // TODO(lab 1): from the descriptor's index in the array, through its
    // // span, to the frame's physical address.
    // (void)frame;
    // LAB_TODO(1);
    // return kNoFrame;
    // @solution-end
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
    // @solution-begin
    Frame* f = in_use(physical, "FrameArray::map_up");
    VERIFY_MSG(f->map_count + 1 != Frame::kFree, "frame array: map count overflow on 0x%08x", physical);
    return ++f->map_count;
    // @solution-else
    // // TODO(lab 1)
    // (void)physical;
    // LAB_TODO(1);
    // return 0;
    // @solution-end
}

uint32_t FrameArray::map_down(uint32_t physical)
{
    // @solution-begin
    Frame* f = in_use(physical, "FrameArray::map_down");
    VERIFY_CONTRACT(f->map_count > 0, "FrameArray::map_down", "the count is not already 0",
        "frame 0x%08x is not mapped", physical);
    return --f->map_count;
    // @solution-else
    // // TODO(lab 1)
    // (void)physical;
    // LAB_TODO(1);
    // return 0;
    // @solution-end
}

uint32_t FrameArray::map_count(uint32_t physical) { return in_use(physical, "FrameArray::map_count")->map_count; }
uint32_t FrameArray::owner(uint32_t physical) { return in_use(physical, "FrameArray::owner")->vpage; }
void FrameArray::set_owner(uint32_t physical, uint32_t vpage) { in_use(physical, "FrameArray::set_owner")->vpage = vpage; }

bool FrameArray::is_free(uint32_t physical)
{
    Frame* f = descriptor(physical);
    return f && f->map_count == Frame::kFree;
}
