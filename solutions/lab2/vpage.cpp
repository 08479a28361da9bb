// Lab 2, part 1: vpage lifetime. Read os/vm/vpage.h first.
#include "vm/vpage.h"

#include "kernel/lab.h"
#include "lib/verify.h"
#include "vm/frame_array.h"
#include "vm/store.h"

VPageRef vpage_create(uint8_t store, uint32_t offset)
{
    // @solution-begin
    VPageRef ref = vpages().create();
    if (ref == kNoVPage)
        return kNoVPage;
    VPage* vp = vpages().get(ref);
    vp->store = store;
    vp->store_offset = offset;
    return ref;
    // @solution-else
    // // TODO(lab 2): a new VPage from the pool (kNoVPage if it is full),
    // // with its store and offset set.
    // (void)store;
    // (void)offset;
    // LAB_TODO(2);
    // return kNoVPage;
    // @solution-end
}

void vpage_ref(VPageRef vpage)
{
    // @solution-begin
    VPage* vp = vpages().get(vpage);
    VERIFY_CONTRACT(vp->refs != 0xFFFF, "vpage_ref", "one more page-table entry refers to the vpage",
        "vpage %u has 65535 references already", vpage);
    ++vp->refs;
    // @solution-else
    // // TODO(lab 2)
    // (void)vpage;
    // LAB_TODO(2);
    // @solution-end
}

bool vpage_unref(VPageRef vpage)
{
    // @solution-begin
    VPage* vp = vpages().get(vpage);
    VERIFY_CONTRACT(vp->refs > 0, "vpage_unref", "one page-table entry fewer refers to it",
        "vpage %u has no references", vpage);
    if (--vp->refs > 0)
        return false;
    if (vp->is_resident()) {
        uint32_t frame = vp->frame;
        frames().set_owner(frame, kNoVPage);
        if (frames().map_count(frame) == 0)
            frames().free(frame);
    }
    VERIFY_MSG(vp->waiters == 0, "vpage %u: destroyed with threads waiting for it", vpage);
    vm::release_backing(*vp); // the seed's "I don't need you anymore" (lab 5: a swap slot)
    vpages().destroy(vpage);
    return true;
    // @solution-else
    // // TODO(lab 2): drop one reference; at zero, release the frame (if
    // // resident and no longer mapped), tell its store (vm::release_backing)
    // // and destroy the vpage.
    // (void)vpage;
    // LAB_TODO(2);
    // return false;
    // @solution-end
}

void vpage_attach(VPageRef vpage, uint32_t frame)
{
    // @solution-begin
    VPage* vp = vpages().get(vpage);
    VERIFY_CONTRACT(!vp->is_resident(), "vpage_attach", "a non-resident vpage, a frame in use with no owner",
        "vpage %u is already resident on 0x%08x", vpage, vp->frame);
    VERIFY_CONTRACT(frames().owner(frame) == kNoVPage, "vpage_attach",
        "a non-resident vpage, a frame in use with no owner", "frame 0x%08x is owned by vpage %u", frame,
        frames().owner(frame));
    vp->frame = frame;
    frames().set_owner(frame, vpage);
    // @solution-else
    // // TODO(lab 2): link the vpage and the frame both ways.
    // (void)vpage;
    // (void)frame;
    // LAB_TODO(2);
    // @solution-end
}
