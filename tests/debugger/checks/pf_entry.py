"""pf-entry (lab 0): the page-fault entry is reached with the fault's state.

Boots the fault-report kernel test (it writes to 0x0badf00c, which is not
mapped), stops at `page_fault_entry`, and checks with the debugger that CR2
holds the faulting address and that the page really is not present.
"""

KERNEL_TEST = "fault-report"
FAULT_ADDR = 0x0BADF00C


def check(dbg):
    """Break at page_fault_entry; CR2 and the page tables must show the fault."""
    dbg.run_to("page_fault_entry")
    cr2 = dbg.creg().get("cr2")
    dbg.expect(cr2 == FAULT_ADDR,
               f"CR2 at page_fault_entry is {cr2 and hex(cr2)}, expected 0x{FAULT_ADDR:08x}")
    page = dbg.page(FAULT_ADDR)
    dbg.expect(not page.present,
               f"page 0x{FAULT_ADDR:08x} is mapped (to 0x{page.phys or 0:08x}): "
               "the fault should be on a not-present page")
