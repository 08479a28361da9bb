#include "vm/resolve.h"

#include "arch/x86/layout.h"
#include "proc/abi.h"
#include "proc/process.h"
#include "proc/thread.h"
#include "vm/address_space.h"
#include "vm/frame_array.h"
#include "vm/reclaim.h"
#include "vm/store.h"
#include "vm/vpage.h"

namespace {
constexpr unsigned kResults = unsigned(vm::FaultResult::Unhandled) + 1;
uint32_t g_counts[kResults];
constexpr int kMaxWaits = 1000; // writes ended, and still no frame for us: give up
}

namespace vm {

// Lab 6: what a pager's error (Thread::vm_error) means for the fault.
static FaultResult pager_failure(int32_t error)
{
    return error == kErrTimedOut ? FaultResult::PagerTimedOut
        : error == kErrDeadlock  ? FaultResult::PagerOwnStore
        : error == kErrRefused   ? FaultResult::PagerBusy
                                 : FaultResult::PagerDied;
}

// A fault that came to nothing for want of a frame: OutOfMemory, or a store
// that is there but could not start a page-in while no frame was free (the
// swap store needs one for the page). A store that refuses for reasons of
// its own still means "no store".
static bool short_of_frames(AddressSpace& space, const PageFault& fault, FaultResult result)
{
    if (result == FaultResult::OutOfMemory)
        return true;
    // (lab 6: a pager that refused, vm_error set, is not short of frames either)
    if (result != FaultResult::NoStore || frames().frames_free() > 0 || sched::current()->vm_error)
        return false;
    Lookup l = space.lookup(fault.address());
    return l.vpage != kNoVPage && store(vpages().get(l.vpage)->store) != nullptr;
}

FaultResult resolve(AddressSpace& space, const PageFault& fault)
{
    // The framework refuses what is not user space before lab code sees it:
    // the NULL page and the kernel half are never a lab's to resolve.
    if (fault.address() < layout::kUserBottom || fault.address() >= layout::kUserTop) {
        FaultResult refused = fault.address() < layout::kUserBottom ? FaultResult::BadNull : FaultResult::BadKernelHalf;
        ++g_counts[unsigned(refused)];
        return refused;
    }
    // Lab 5: collect first if memory is low (os/vm/reclaim.h); and if the
    // fault still finds no frame, collect and wait for writes, then again.
    make_room();
    Thread* me = sched::current();
    me->vm_error = 0;
    FaultResult result = handle_fault(space, fault);
    for (int tries = 0; tries < kMaxWaits && short_of_frames(space, fault, result) && wait_for_frames(); ++tries)
        result = handle_fault(space, fault);
    if (short_of_frames(space, fault, result))
        result = FaultResult::OutOfMemory;
    if (result == FaultResult::NoStore && me->vm_error) // lab 6: a pager store said why
        result = pager_failure(me->vm_error);
    ++g_counts[unsigned(result)];
    if (result == FaultResult::Queued) {
        if (Process* p = process::current())
            ++p->page_ins;
        // A store may deliver at once, inside request(): then do not wait.
        VPage* vp = vpages().get(space.lookup(fault.address()).vpage);
        if (!vp->is_resident())
            sched::block_on(&vp->waiters);
        // Lab 6: woken without the page (the pager timed out or died).
        if (me->vm_error) {
            --g_counts[unsigned(result)]; // each fault counted once: as what it came to
            result = pager_failure(me->vm_error);
            ++g_counts[unsigned(result)];
        }
    }
    return result;
}

void page_arrived(VPageRef vpage, uint32_t frame)
{
    vpage_attach(vpage, frame);
    sched::wake_list(&vpages().get(vpage)->waiters);
}

uint32_t fault_count(FaultResult result) { return g_counts[unsigned(result)]; }

uint32_t faults_total()
{
    uint32_t total = 0;
    for (uint32_t n : g_counts)
        total += n;
    return total;
}

uint32_t faults_refused()
{
    uint32_t refused = 0;
    for (unsigned r = 0; r < kResults; ++r)
        if (!is_resolved(FaultResult(r)) && FaultResult(r) != FaultResult::Queued)
            refused += g_counts[r];
    return refused;
}

} // namespace vm
