// Lab 2, part 1: vpage lifetime. Read os/vm/vpage.h first.
#include "vm/vpage.h"

#include "kernel/lab.h"
#include "lib/verify.h"
#include "vm/frame_array.h"
#include "vm/store.h"

VPageRef vpage_create(uint8_t store, uint32_t offset)
{
    // TODO(lab 2): a new VPage from the pool (kNoVPage if it is full),
    // with its store and offset set.
    (void)store;
    (void)offset;
    LAB_TODO(2);
    return kNoVPage;
}

void vpage_ref(VPageRef vpage)
{
    // TODO(lab 2)
    (void)vpage;
    LAB_TODO(2);
}

bool vpage_unref(VPageRef vpage)
{
    // TODO(lab 2): drop one reference; at zero, release the frame (if
    // resident and no longer mapped), tell its store (vm::release_backing)
    // and destroy the vpage.
    (void)vpage;
    LAB_TODO(2);
    return false;
}

void vpage_attach(VPageRef vpage, uint32_t frame)
{
    // TODO(lab 2): link the vpage and the frame both ways.
    (void)vpage;
    (void)frame;
    LAB_TODO(2);
}
