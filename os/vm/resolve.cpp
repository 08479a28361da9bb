#include "vm/resolve.h"

#include "arch/x86/layout.h"
#include "proc/thread.h"
#include "vm/address_space.h"
#include "vm/vpage.h"

namespace {
constexpr unsigned kResults = unsigned(vm::FaultResult::Unhandled) + 1;
uint32_t g_counts[kResults];
}

namespace vm {

FaultResult resolve(AddressSpace& space, const PageFault& fault)
{
    // The framework refuses what is not user space before lab code sees it:
    // the NULL page and the kernel half are never a lab's to resolve.
    FaultResult result = fault.address() < layout::kUserBottom ? FaultResult::BadNull
        : fault.address() >= layout::kUserTop                   ? FaultResult::BadKernelHalf
                                                                : handle_fault(space, fault);
    ++g_counts[unsigned(result)];
    if (result == FaultResult::Queued) {
        // A store may deliver at once, inside request(): then do not wait.
        VPage* vp = vpages().get(space.lookup(fault.address()).vpage);
        if (!vp->is_resident())
            sched::block_on(&vp->waiters);
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
