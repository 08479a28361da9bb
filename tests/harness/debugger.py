"""The `Debugger` helper that debugger checks (tests/debugger/checks/) use.

A check is a function `check(dbg)` that drives a Bochs debugger session
through this class and calls `dbg.expect(condition, message)`; a failed
expectation raises CheckFailed with that message. Reading kernel state:

    dbg.run_to("page_fault_entry")     # continue until the kernel gets there
    dbg.creg()["cr2"]                  # control registers, as ints
    dbg.regs()["eip"]                  # general registers, eip, eflags
    dbg.page(0x0badf00c).present       # page-table walk by Bochs (`page`)
    dbg.read_phys(addr, n)             # n 32-bit words via `xp /Nwx`
    dbg.read_virt(addr, n)             # n 32-bit words via `x /Nwx`
    dbg.read_symbol("frames_free", n)  # words at a kernel symbol
    dbg.dump_virt(addr, nbytes)        # bytes via `writemem` (big reads, no text)
    dbg.symbol_address("kernel_end")
    dbg.cmd("info idt 14")             # any command: its output text
"""

import os
import re
import time
from dataclasses import dataclass

from . import bochs, elf, symbols

REG_RE = re.compile(r"^r([a-z]{2}|ip): ([0-9a-f]{8})_([0-9a-f]{8})", re.M)
CREG_RE = re.compile(r"^CR(\d)=(?:page fault laddr=)?0x([0-9a-f]+)", re.M)
DUMP_LINE_RE = re.compile(r"^\s*0x[0-9a-f]+ <[^>]*>:(.*)$", re.M)
NOT_MAPPED_RE = re.compile(r"physical address not available|bx_dbg_read_linear")
LOADER_STEP = 100_000        # instructions between looks while GRUB still runs


class CheckFailed(Exception):
    """An expectation of a debugger check did not hold."""


class KernelStopped(Exception):
    """The run ended (or hung) while the check waited for the kernel."""

    def __init__(self, outcome, reason):
        super().__init__(f"{outcome}: {reason}")
        self.outcome = outcome
        self.reason = reason


@dataclass
class PageInfo:
    """What `page ADDR` said: mapped or not, the physical address, the text."""
    present: bool
    phys: int
    text: str


class Debugger:
    """A scripted Bochs debugger session over one kernel run."""

    def __init__(self, session, kernel_elf, symfile, *, budget, wall_timeout,
                 flood_cap=bochs.FLOOD_CAP):
        self.session = session
        self.elf = elf.Elf(kernel_elf)
        self.symbols = symbols.load(symfile) if symfile else {}
        self.budget = budget
        self.flood_cap = flood_cap
        self.deadline = time.monotonic() + wall_timeout
        self.transcript = []      # (command, output) pairs, for failure reports

    # -- basics ---------------------------------------------------------------
    def start(self):
        """Start Bochs and arm the instruction budget."""
        self.session.start()
        if self.budget:
            self.cmd(f"sba {int(self.budget)}")

    @property
    def ticks(self):
        """Guest instructions executed at the current stop."""
        return self.session.ticks

    def expect(self, condition, message):
        """Fail the check with `message` unless `condition` holds."""
        if not condition:
            raise CheckFailed(message)

    def cmd(self, text, timeout=bochs.COMMAND_TIMEOUT):
        """Run one debugger command; return its output."""
        try:
            out = self.session.command(text, timeout)
        except bochs.GuestExited:
            raise KernelStopped(*bochs.classify_exit(self.session))
        self.transcript.append((text, out))
        return out

    def cont(self):
        """Continue until the next debugger stop; return the stop text.

        Raises KernelStopped when the run ends, exceeds its budget, floods or
        runs out of wall time instead.
        """
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise KernelStopped("timeout", "wall-clock timeout")
        outcome, reason = bochs.supervise(self.session, self.budget, remaining,
                                          self.flood_cap, stop_at_breaks=True)
        if outcome != "break":
            raise KernelStopped(outcome, reason)
        self.transcript.append(("c", reason))
        return reason

    # -- symbols and memory ---------------------------------------------------
    def symbol_address(self, name):
        """Address of a kernel symbol (from the .sym file)."""
        if name not in self.symbols:
            raise CheckFailed(f"symbol {name} not found in the kernel's symbol file")
        if self.symbols[name] is None:
            raise CheckFailed(f"symbol {name} names several addresses in the kernel's symbol file")
        return self.symbols[name]

    def _read(self, command, addr, n, unit):
        """Values from an `x`/`xp` dump of n units (`w` or `b`) at addr."""
        out = self.cmd(f"{command} /{n}{unit}x 0x{addr:x}")
        if NOT_MAPPED_RE.search(out):
            raise CheckFailed(f"cannot read 0x{addr:08x}: not mapped")
        values = [int(v, 16) for line in DUMP_LINE_RE.findall(out)
                  for v in re.findall(r"0x([0-9a-f]+)", line)]
        if len(values) < n:
            raise CheckFailed(f"`{command}` at 0x{addr:08x} returned {len(values)} of {n} values")
        return values[:n]

    def read_phys(self, addr, n=1):
        """n 32-bit words of physical memory at addr."""
        return self._read("xp", addr, n, "w")

    def read_virt(self, addr, n=1):
        """n 32-bit words at linear address addr (through the page tables)."""
        return self._read("x", addr, n, "w")

    def read_phys_bytes(self, addr, n):
        """n bytes of physical memory at addr, as bytes."""
        return bytes(self._read("xp", addr, n, "b"))

    def dump_virt(self, addr, n):
        """n bytes at linear address addr, through Bochs's `writemem` into a
        file: for reads too big for `x` (its text would count as console
        output, and is slow to parse)."""
        path = os.path.join(self.session.workdir, "writemem.bin")
        if os.path.exists(path):
            os.unlink(path)
        out = self.cmd(f'writemem "{path}" 0x{addr:x} {n}')
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            data = b""
        if len(data) != n:
            raise CheckFailed(f"writemem of {n} bytes at 0x{addr:08x} gave {len(data)}: {out.strip()[:200]}")
        return data

    def read_symbol(self, name, n=1):
        """n words at a kernel symbol's (linear) address."""
        return self.read_virt(self.symbol_address(name), n)

    # -- registers and paging -------------------------------------------------
    def regs(self):
        """General registers, eip and eflags as ints (32-bit names)."""
        out = self.cmd("r")
        regs = {("e" + name if name != "ip" else "eip"): int(low, 16)
                for name, _high, low in REG_RE.findall(out)}
        eflags = re.search(r"eflags 0x([0-9a-f]+)", out)
        if eflags:
            regs["eflags"] = int(eflags.group(1), 16)
        return regs

    def creg(self):
        """{"cr0", "cr2", "cr3", "cr4"} as ints."""
        return {f"cr{n}": int(v, 16) for n, v in CREG_RE.findall(self.cmd("creg"))}

    def page(self, addr):
        """Bochs's page-table walk for linear address addr."""
        out = self.cmd(f"page 0x{addr:x}")
        mapped = re.search(r"maps to physical page 0x([0-9a-f]+)", out)
        if mapped and not NOT_MAPPED_RE.search(out):
            return PageInfo(True, int(mapped.group(1), 16) + (addr & 0xFFF), out)
        return PageInfo(False, None, out)

    # -- running to a place ---------------------------------------------------
    def breakpoints(self):
        """Numbers of the breakpoints set now."""
        return [int(n) for n in re.findall(r"^\s*(\d+) ", self.cmd("info break"), re.M)]

    def clear_breakpoints(self):
        """Delete every breakpoint."""
        for number in self.breakpoints():
            self.cmd(f"d {number}")

    def kernel_loaded_at(self, addr):
        """True when memory holds the kernel's own bytes for address addr."""
        expected = self.elf.file_bytes(addr, 8)
        if not expected:
            return True          # .bss: nothing to compare
        return self.read_phys_bytes(self.elf.phys(addr), len(expected)) == expected

    def skip_loader(self, addr, step=LOADER_STEP):
        """Run on in steps until the kernel's bytes are at addr (GRUB done)."""
        while not self.kernel_loaded_at(addr):
            self.cmd(f"sb {step}")
            self.cont()

    def run_to(self, name):
        """Continue until the kernel executes symbol `name` (or an address);
        return the stop text.

        A linear breakpoint can also fire while GRUB still runs: GRUB's own code
        can sit at the kernel's load addresses before the kernel is copied
        there (even one hit per `rep movsb` iteration). A hit where memory does
        not yet hold the kernel's bytes is skipped by stepping until it does.
        """
        addr = name if isinstance(name, int) else self.symbol_address(name)
        self.cmd(f"lb 0x{addr:x}")
        while True:
            text = self.cont()
            if self.regs().get("eip") != addr:
                continue                 # some other stop (magic breakpoint)
            if self.kernel_loaded_at(addr):
                return text
            self.clear_breakpoints()
            self.skip_loader(addr)
            self.cmd(f"lb 0x{addr:x}")

    def run_to_return(self, what="the return address"):
        """At the entry of a function (its return address on top of the
        stack): delete every breakpoint, run to that return address and give
        the registers there. Fails the check (naming `what`) if it stops
        anywhere else."""
        back = self.read_virt(self.regs()["esp"])[0]
        self.clear_breakpoints()
        self.cmd(f"lb 0x{back:x}")
        self.cont()
        regs = self.regs()
        self.expect(regs.get("eip") == back, f"stopped at {regs.get('eip', 0):#x}, not {what} {back:#x}")
        return regs

    def finish(self):
        """Delete breakpoints and let the kernel run to its end: (outcome, reason)."""
        if not self.session.at_prompt:
            return bochs.classify_exit(self.session) if self.session.exited else ("", "")
        self.clear_breakpoints()
        remaining = max(1.0, self.deadline - time.monotonic())
        return bochs.supervise(self.session, self.budget, remaining, self.flood_cap)

    def log_text(self, last=8, lines=12):
        """The last commands and their output (each cut to `lines` lines:
        the end of a `c`, where the stop is, the start of anything else)."""
        parts = []
        for cmd, out in self.transcript[-last:]:
            text = [l for l in out.splitlines() if l.strip()]
            if len(text) > lines:
                cut = f"... ({len(text) - lines} lines)"
                text = [cut] + text[-lines:] if cmd == "c" else text[:lines] + [cut]
            parts.append("\n".join([f"<bochs> {cmd}"] + text))
        return "\n".join(parts)
