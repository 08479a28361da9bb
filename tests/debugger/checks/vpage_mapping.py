"""vpage-mapping (lab 2): a mapped resident vpage, seen by the MMU and in memory.

Boots the lab2_debug_mapping kernel test, which maps one resident vpage
read-write at 0x00400000 in a new address space, activates it, and calls
debug_checkpoint(linear, vpage). At that call the check verifies, from
guest memory only:
  - `page 0x00400000` maps to a frame, with a user, writable entry;
  - that frame's descriptor names the vpage and has map count 1;
  - the vpage records that frame and one reference;
  - the data through the virtual and the physical address is the same.
"""
import re

from checks import kstate

KERNEL_TEST = "lab2_debug_mapping"


def check(dbg):
    """Stop at debug_checkpoint and check the mapping against the VM state."""
    dbg.run_to("debug_checkpoint")
    esp = dbg.regs()["esp"]
    linear, handle = dbg.read_virt(esp + 4, 2)
    dbg.expect(linear == 0x00400000 and handle != 0, f"debug_checkpoint({linear:#x}, {handle}): unexpected arguments")

    page = dbg.page(linear)
    dbg.expect(page.present, f"`page 0x{linear:08x}` shows no mapping:\n{page.text}")
    frame = page.phys & ~0xFFF
    pte = re.search(r"PTE: 0x([0-9a-f]+)", page.text)
    dbg.expect(pte is not None, f"`page` printed no PTE:\n{page.text}")
    entry = int(pte.group(1), 16)
    dbg.expect(entry & 0b111 == 0b111, f"PTE 0x{entry:08x} is not present+writable+user")

    kstate.expect_resident(dbg, kstate.frame_array(dbg), handle, frame, refs=1)

    through_mmu = dbg.read_virt(linear, 4)
    direct = dbg.read_phys(frame, 4)
    dbg.expect(through_mmu == direct, f"0x{linear:08x} reads {through_mmu}, its frame holds {direct}")
