"""fault-zero-fill (lab 3): one zero-fill fault, watched from the debugger.

Boots `test=run run=demand-zero`. The program mmaps one page at 0x50000000
(demand-zero: a not-present entry holding a vpage, no frame) and reads
0x50000abc first. The check
  1. stops in vm::handle_fault until the fault it is given is in that page,
     and checks: CR2 and the PageFault argument are 0x50000abc, a user read
     of a not-present page; `page` shows no mapping; the not-present entry
     names a live anonymous vpage with no frame and one reference;
  2. runs to handle_fault's return address and checks the answer (eax) is
     FaultResult::ZeroFilled;
  3. checks the new mapping from guest memory only: `page 0x50000abc` maps a
     frame with a present, writable, user entry; that frame's descriptor
     names the vpage with map count 1; the vpage records the frame, still
     one reference; and the frame reads zero;
  4. recounts, over the page tables of every live process read from guest
     memory, every frame's map count and every vpage's references.
"""
import re

from checks import kstate

KERNEL_TEST = "run"             # the manifest adds cmdline run=demand-zero
TOUCHED = 0x50000ABC
PAGE = TOUCHED & ~0xFFF
ZERO_FILLED = 1                 # vm::FaultResult::ZeroFilled (os/vm/fault.h)
USER_READ_NOT_PRESENT = 0b100   # page-fault error code: U/S=1, W/R=0, P=0
MAX_FAULTS = 200                # faults handled before the program gets there


def entry_of(dbg, cr3, linear):
    """The page-table entry for `linear`, walked from CR3 with `xp` (0 if no table)."""
    pde = dbg.read_phys((cr3 & ~0xFFF) + 4 * (linear >> 22))[0]
    if not pde & 1:
        return 0
    return dbg.read_phys((pde & ~0xFFF) + 4 * ((linear >> 12) & 0x3FF))[0]


def stop_at_the_fault(dbg):
    """Continue through vm::handle_fault calls until the one for PAGE; its
    PageFault {address, error_code, eip} (the second argument, cdecl)."""
    entry = dbg.symbol_address("vm::handle_fault")
    dbg.run_to("vm::handle_fault")
    for _ in range(MAX_FAULTS):
        esp = dbg.regs()["esp"]
        fault = dbg.read_virt(dbg.read_virt(esp + 8)[0], 3)
        if fault[0] & ~0xFFF == PAGE:
            return fault
        dbg.cont()
        dbg.expect(dbg.regs().get("eip") == entry, "stopped outside vm::handle_fault")
    dbg.expect(False, f"{MAX_FAULTS} faults handled, none in page 0x{PAGE:08x}")


def check(dbg):
    """Stop at the zero-fill fault, let the handler run, check the mapping."""
    address, error, _eip = stop_at_the_fault(dbg)
    cr = dbg.creg()
    dbg.expect(cr.get("cr2") == TOUCHED and address == TOUCHED,
               f"CR2 is {cr.get('cr2', 0):#010x} and handle_fault got {address:#010x}; "
               f"the program touched {TOUCHED:#010x} first")
    dbg.expect(error & 0b111 == USER_READ_NOT_PRESENT,
               f"error code {error:#x}: expected a user-mode read of a not-present page")
    before = dbg.page(TOUCHED)
    dbg.expect(not before.present, f"0x{TOUCHED:08x} is mapped before the fault is handled:\n{before.text}")
    cr3 = cr["cr3"]
    entry = entry_of(dbg, cr3, TOUCHED)
    handle = entry >> 2
    dbg.expect(entry & 1 == 0 and handle != 0,
               f"entry 0x{entry:08x} for 0x{TOUCHED:08x}: expected a not-present entry holding a vpage")
    vp = kstate.vpage(dbg, handle)
    dbg.expect(vp.frame == 0 and vp.store == 0 and vp.refs == 1,
               f"vpage {handle} before the fault: frame 0x{vp.frame:08x}, store {vp.store}, "
               f"{vp.refs} references (expected no frame, anonymous, 1)")

    # Let the handler finish: stop at its return address.
    regs = dbg.run_to_return("handle_fault's return")
    dbg.expect(regs["eax"] & 0xFF == ZERO_FILLED,
               f"handle_fault returned {regs['eax'] & 0xFF}, expected ZeroFilled ({ZERO_FILLED})")

    page = dbg.page(TOUCHED)
    dbg.expect(page.present, f"`page 0x{TOUCHED:08x}` shows no mapping after the fault:\n{page.text}")
    frame = page.phys & ~0xFFF
    entry = entry_of(dbg, cr3, TOUCHED)
    dbg.expect(entry & 0b111 == 0b111 and entry & ~0xFFF == frame,
               f"entry 0x{entry:08x}: expected present+writable+user on frame 0x{frame:08x}")
    pte = re.search(r"PTE: 0x([0-9a-f]+)", page.text)
    dbg.expect(pte is None or int(pte.group(1), 16) & ~0xFFF == frame,
               f"`page` and the walk from CR3 disagree:\n{page.text}")

    fa = kstate.frame_array(dbg)
    kstate.expect_resident(dbg, fa, handle, frame, refs=1, when=" after the fault")

    words = dbg.read_phys(frame, 64) + dbg.read_phys(frame + (TOUCHED & 0xFC0), 64)
    dbg.expect(not any(words), f"the new frame 0x{frame:08x} is not zeroed")

    # The counts of address_space.h, exact over every live address space.
    procs = [p for p in kstate.processes(dbg) if p.alive and p.directory]
    kstate.check_counts(dbg, fa, [kstate.user_entries(dbg, p.directory) for p in procs])
