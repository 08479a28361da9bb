"""The rules of the shell tests (tests/debugger/shell_tests.py): each is a
function (shell driver, Debugger over the shell, state shared along the case)
that fails with ShellFailed("<rule>: <what differs>"). They compare what a vm
command prints with what the debugger checks' readers (checks/kstate.py) read
through the shell's pass-through of plain Bochs commands.
"""

import os
import re
import time

import pexpect

from checks import kstate

TOUCH = 0x40001000            # handout-touch's three pages: read, write, vmstat buffer
WRITE = 0x40002000
BUFFER = 0x40003000
ZERO_FILLED = "ZeroFilled (1)"
PROMPT = r"<bochs:\d+> "


class ShellFailed(Exception):
    """A rule of a case did not hold."""


def need(condition, rule, message):
    """Fail `rule` with `message` unless `condition` holds."""
    if not condition:
        raise ShellFailed(f"{rule}: {message}")


def field(pattern, text, rule, what):
    """The first group of `pattern` in `text` (hex or decimal as written)."""
    m = re.search(pattern, text)
    need(m, rule, f"no {what} in:\n{text}")
    return int(m.group(1), 0)


def clean(rule, text):
    """No crash text: the shell answered in words."""
    need("internal error" not in text and "Traceback" not in text, rule, f"the shell failed:\n{text}")


# ---- the reference kernel: one fault, every command ------------------------------

def rule_before_boot(sh, dbg, state):
    """vm commands before the kernel runs say so and the shell goes on."""
    for cmd in ("vm page 0x40001000", "vm procs", "vm frames", "vm check"):
        out = sh.command(cmd)
        clean("before-boot-says-not-running", out)
        need("paging is off" in out, "before-boot-says-not-running", f"`{cmd}` at reset printed:\n{out}")


def rule_break_filters(sh, dbg, state):
    """`vm break fault ADDR` + `c` stops only at a fault in ADDR's page."""
    out = sh.command(f"vm break fault 0x{WRITE:08x}")
    need("breakpoint" in out and "vm::handle_fault" in out, "break-fault-sets", out)
    out = sh.command("c", timeout=120)
    need(f"fault at 0x{WRITE:08x}: user write of a not-present page" in out, "break-fault-stops-in-its-page",
         f"`c` printed:\n{out[-1500:]}")
    need(re.search(r"\(\d+ faults? in other pages continued\)", out), "break-fault-continues-other-pages",
         "the earlier faults (stack, 0x40001000) were not reported as continued")
    regs = dbg.regs()
    need(regs.get("eip") == dbg.symbol_address("vm::handle_fault"), "break-fault-stops-in-handler",
         f"eip 0x{regs.get('eip', 0):08x} is not vm::handle_fault")
    fault = dbg.read_virt(dbg.read_virt(regs["esp"] + 8)[0], 3)
    need(fault[0] & ~0xFFF == WRITE, "break-fault-stops-in-its-page", f"handle_fault got 0x{fault[0]:08x}")
    state["cr3"] = dbg.creg()["cr3"] & ~0xFFF


def rule_page_not_present(sh, dbg, state):
    """`vm page` on a not-present entry: the vpage the entry holds, its fields."""
    out = sh.command(f"vm page 0x{WRITE:08x}")
    clean("page-not-present", out)
    _pde, pte = kstate.walk(dbg, state["cr3"], WRITE)
    need(pte is not None and not pte & 1, "page-not-present", f"the entry is 0x{pte or 0:08x}")
    handle = field(r"holds vpage (\d+)", out, "page-not-present-names-vpage", "vpage")
    need(handle == kstate.entry_vpage(pte), "page-not-present-names-vpage",
         f"printed vpage {handle}, the entry 0x{pte:08x} holds {kstate.entry_vpage(pte)}")
    need(f": 0x{pte:08x}" in out, "page-not-present-shows-entry", f"raw entry 0x{pte:08x} not shown:\n{out}")
    vp = kstate.vpage(dbg, handle)
    need(vp.frame == 0 and "not resident" in out, "page-not-present-vpage-fields", out)
    need(field(r"refs (\d+)", out, "page-not-present-vpage-fields", "refs") == vp.refs,
         "page-not-present-vpage-fields", f"refs differ from {vp.refs}")
    need(out.rstrip().endswith("consistent"), "page-not-present-consistent", out)
    state["handle"] = handle


def rule_vpage(sh, dbg, state):
    """`vm vpage REF` prints the pool slot's fields."""
    handle = state["handle"]
    out = sh.command(f"vm vpage {handle}")
    vp = kstate.vpage(dbg, handle)
    pool = kstate.vpage_pool(dbg)
    need(f"slot at 0x{pool.slot_address(handle):08x}: in use" in out, "vpage-slot-and-liveness", out)
    need(field(r"refs (\d+)", out, "vpage-fields", "refs") == vp.refs
         and field(r"store (\d+)", out, "vpage-fields", "store") == vp.store
         and field(r"offset (0x[0-9a-f]+)", out, "vpage-fields", "offset") == vp.store_offset
         and "flags none" in out and "waiters none" in out, "vpage-fields",
         f"{vp} but printed:\n{out}")
    out = sh.command(f"vm vpage {pool.capacity}")
    need("NOT in use" in out, "vpage-free-slot-says-so", out)


def rule_procs(sh, dbg, state):
    """`vm procs`: the recency list in order with resident page counts."""
    out = sh.command("vm procs")
    rows = re.findall(r"^\s+(\d+)\s+(\S+)\s+(alive|zombie)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.M)
    procs_ = kstate.processes(dbg)
    need([int(r[0]) for r in rows] == [p.pid for p in procs_], "procs-recency-order",
         f"pids {[r[0] for r in rows]}, the list has {[p.pid for p in procs_]}")
    for row, p in zip(rows, procs_):
        if not p.directory:
            continue
        entries = kstate.user_entries(dbg, p.directory)
        resident = sum(1 for e in entries.values() if e & 1)
        need(row[1] == p.name and int(row[4]) == resident and int(row[5]) == len(entries) - resident,
             "procs-resident-counts", f"row {row} but pid {p.pid} ({p.name}) has {resident} present and "
             f"{len(entries) - resident} not-present entries")


def census(dbg):
    """free / kernel / user / shared from the descriptors, read as the checks do."""
    fa = kstate.frame_array(dbg)
    words = kstate.read_phys_bulk(dbg, fa.storage_base, 2 * fa.total)
    pairs = [(words[2 * i], words[2 * i + 1]) for i in range(fa.total)]
    return {"free": sum(1 for _o, m in pairs if m == kstate.FREE),
            "kernel": sum(1 for o, m in pairs if m != kstate.FREE and o == 0),
            "user": sum(1 for o, m in pairs if m != kstate.FREE and o != 0),
            "shared": sum(1 for o, m in pairs if m != kstate.FREE and o != 0 and m > 1)}


def rule_frames(sh, dbg, state):
    """`vm frames`: the counts agree with the descriptors."""
    out = sh.command("vm frames")
    printed = {name: int(n) for name, n in re.findall(r"^\s+(free|kernel|user|dirty|shared)\s+(\d+)", out, re.M)}
    expected = census(dbg)
    need(all(printed.get(k) == v for k, v in expected.items()), "frames-counts",
         f"printed {printed}, the descriptors say {expected}")
    need(0 <= printed.get("dirty", -1) <= expected["user"], "frames-dirty-within-user", out)
    need("lab 5" in out, "frames-says-what-lab-5-adds", out)


def rule_check(sh, dbg, state):
    """`vm check` says consistent exactly when the debugger checks' recount does."""
    out = sh.command("vm check")
    fa = kstate.frame_array(dbg)
    spaces = [kstate.user_entries(dbg, p.directory) for p in kstate.processes(dbg) if p.alive and p.directory]
    kstate.check_counts(dbg, fa, spaces)
    need(out.rstrip().endswith("consistent") and "!!" not in out, "check-consistent", out)


def rule_finish(sh, dbg, state):
    """`vm finish` runs the handler to its return and names the FaultResult."""
    out = sh.command("vm finish", timeout=120)
    need(f"vm::handle_fault returned {ZERO_FILLED}" in out, "finish-names-result", out[-800:])
    need(dbg.regs()["eax"] & 0xFF == 1, "finish-names-result", "al is not ZeroFilled")


def rule_page_present(sh, dbg, state):
    """`vm page` on the new mapping: the frame Bochs's `page` finds, its descriptor, the vpage."""
    out = sh.command(f"vm page 0x{WRITE:08x}")
    page = dbg.page(WRITE)
    need(page.present, "page-present-frame", f"Bochs's page: {page.text}")
    frame = field(r"-> frame (0x[0-9a-f]+)", out, "page-present-frame", "frame")
    need(frame == page.phys & ~0xFFF, "page-present-frame", f"printed 0x{frame:08x}, `page` says 0x{page.phys:08x}")
    owner, map_count = kstate.descriptor(dbg, kstate.frame_array(dbg), frame)
    need(f"owner vpage {owner}, map count {map_count}" in out and owner == state["handle"],
         "page-present-descriptor", f"descriptor ({owner}, {map_count}) but printed:\n{out}")
    need("present, writable, user" in out and out.rstrip().endswith("consistent"), "page-present-decoded", out)
    state["frame"] = frame


def rule_frame(sh, dbg, state):
    """`vm frame`: the owner, the mapping found by a scan, how many tables."""
    frame = state["frame"]
    out = sh.command(f"vm frame 0x{frame:08x}")
    owner, map_count = kstate.descriptor(dbg, kstate.frame_array(dbg), frame)
    need(f"owner vpage {owner}, map count {map_count}" in out, "frame-descriptor", out)
    need(re.search(rf"pid \d+ \(handout-touch\) 0x{WRITE:08x}: present", out), "frame-mapped-at", out)
    live = [p for p in kstate.processes(dbg) if p.alive and p.directory]
    tables = sum(1 for p in live for pde in kstate.read_phys_bulk(dbg, p.directory, 768) if pde & 1)
    need(f"scanning {tables} page table" in out and f"in {len(live)} address space" in out,
         "frame-says-what-it-scanned", f"expected {tables} tables in {len(live)} spaces:\n{out}")
    out = sh.command("vm frame 0x00100000")
    need("has no descriptor" in out, "frame-outside-array-says-so", out)


def rule_flags_corruption(sh, dbg, state):
    """A descriptor naming another vpage is flagged by vm page, vm frame and vm check."""
    fa = kstate.frame_array(dbg)
    frame, handle = state["frame"], state["handle"]
    address = fa.descriptor_address(frame)
    other = handle + 1
    sh.command(f"setpmem 0x{address:x} 4 {other}")
    try:
        need(kstate.descriptor(dbg, fa, frame)[0] == other, "corruption-setup", "setpmem did not write")
        for cmd, rule in ((f"vm page 0x{WRITE:08x}", "page-flags-foreign-owner"),
                          (f"vm frame 0x{frame:08x}", "frame-flags-foreign-owner"),
                          ("vm check", "check-prints-differences")):
            out = sh.command(cmd)
            need("!!" in out and "consistent" not in out.splitlines()[-1], rule, f"`{cmd}` printed:\n{out}")
    finally:
        sh.command(f"setpmem 0x{address:x} 4 {handle}")
    out = sh.command("vm check")
    need(out.rstrip().endswith("consistent"), "check-consistent-after-repair", out)


def rule_any_fault(sh, dbg, state):
    """`vm break fault` without ADDR stops at the next fault: vmstat's buffer, made up by range_ok."""
    sh.command("vm break off")
    sh.command("vm break fault")
    out = sh.command("c", timeout=120)
    need(f"fault at 0x{BUFFER:08x}" in out, "break-any-fault", out[-800:])
    need(f"CR2 is 0x{WRITE:08x}" in out, "break-fault-says-cr2-differs", out[-800:])
    creg = sh.command("creg")
    need(f"CR2=page fault laddr=0x{WRITE:016x}" in creg, "pass-through-output", creg)


def rule_quit(sh, dbg, state):
    """`q` ends Bochs and the shell, status 0, no Bochs and no lock left."""
    sh.child.sendline("q")
    sh.child.expect(pexpect.EOF, timeout=30)
    sh.child.close()
    need(sh.child.exitstatus == 0, "quit-status", f"exit status {sh.child.exitstatus}")
    time.sleep(0.2)
    alive = True
    try:
        os.kill(sh.bochs_pid, 0)
    except ProcessLookupError:
        alive = False
    need(not alive, "quit-leaves-no-bochs", f"Bochs pid {sh.bochs_pid} still runs")
    locks = [f for f in os.listdir(sh.workdir) if f.endswith(".lock")]
    need(not locks, "quit-leaves-no-lock", f"lock files {locks}")


FAULT_RULES = (rule_before_boot, rule_break_filters, rule_page_not_present, rule_vpage, rule_procs,
               rule_frames, rule_check, rule_finish, rule_page_present, rule_frame, rule_flags_corruption,
               rule_any_fault, rule_quit)


# ---- a skeleton kernel ---------------------------------------------------------

def rule_ctrl_c(sh, dbg, state):
    """Ctrl-C while the guest runs breaks into the debugger. From reset, BIOS
    and GRUB take about 30 M instructions (0.4 s or more of wall time) before
    the kernel starts, so a Ctrl-C 0.15 s after `c` lands while the guest
    boots, however fast or loaded the host (a 1 s wait let a fast Bochs run
    the whole test to power-off first)."""
    sh.child.sendline("c")
    time.sleep(0.15)
    sh.child.sendintr()
    sh.child.expect(PROMPT, timeout=30)
    regs = dbg.regs()
    need("eip" in regs, "ctrl-c-breaks-in", f"no registers after Ctrl-C: {regs}")


def rule_says_what_is_missing(sh, dbg, state):
    """Every vm command on a kernel without a frame array says what is missing."""
    sh.command('lb "ktest::run"')
    out = sh.command("c", timeout=120)
    need(dbg.regs().get("eip") == dbg.symbol_address("ktest::run"), "skeleton-reaches-ktest", out[-800:])
    expected = (("vm frames", "no frame array yet"), ("vm check", "no frame array yet"),
                ("vm frame 0x00400000", "no frame array yet"), ("vm procs", "no process on the recency list"),
                ("vm page 0x40001000", "not present: no page table"), ("vm vpage 1", "NOT in use"),
                ("vm vpage 0", "0 means no vpage"), ("vm page", "usage"), ("vm bogus", "vm commands"),
                ("vm break fault", "breakpoint"))
    for cmd, words in expected:
        out = sh.command(cmd)
        clean(f"skeleton-{cmd.replace(' ', '-')}", out)
        need(words in out, f"skeleton-says-what-is-missing ({cmd})", f"`{cmd}` printed:\n{out}")
        creg = sh.command("creg")
        need("CR0=" in creg, "skeleton-shell-survives", f"after `{cmd}`, creg printed:\n{creg}")


def rule_runs_to_power_off(sh, dbg, state):
    """With no fault to stop at, `c` runs the kernel to power-off; the shell ends with Bochs."""
    sh.child.sendline("c")
    sh.child.expect(pexpect.EOF, timeout=120)
    sh.child.close()
    need(sh.child.exitstatus == 1, "skeleton-poweroff-ends-shell", f"exit status {sh.child.exitstatus} "
         "(Bochs exits 1 after a guest power-off)")
    text = sh.child.before or ""
    need("@@ - END run" in text, "skeleton-console-streamed", text[-800:])


def rule_empty_line_repeats(sh, dbg, state):
    """As in Bochs, an empty line repeats the last command (here `s`: one more instruction)."""
    first = field(r"Next at t=(\d+)", sh.command("s"), "empty-line-repeats", "tick count")
    again = field(r"Next at t=(\d+)", sh.command(""), "empty-line-repeats", "tick count")
    need(again == first + 1, "empty-line-repeats", f"`s` stopped at t={first}, the empty line after it at t={again}")


SKELETON_RULES = (rule_ctrl_c, rule_says_what_is_missing, rule_empty_line_repeats, rule_runs_to_power_off)
