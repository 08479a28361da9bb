"""The debugger shell: Bochs's own debugger, plus `vm` commands.

Every line that does not start with `vm` goes to Bochs unchanged, and Bochs's
output comes back as it is printed (the kernel console too, while the guest
runs). Ctrl-C while the guest runs breaks into the debugger, as in Bochs.
Lines are edited with readline (history in build/.debug-history); without a
terminal on stdin the shell reads commands from it and echoes them after the
prompt, so `printf 'c\\nq\\n' | make debug` gives a readable transcript. The
prompt `<bochs:N>` counts the lines typed (Bochs's own number would also
count the reads the vm views make), and an empty line repeats the last one.

`vm break fault [ADDR]` is a breakpoint on vm::handle_fault with a filter the
shell applies: at a stop in a fault outside the wanted pages the shell
continues by itself, and only the matching stop is shown.
"""

import os
import re
import signal
import sys
import traceback

from checks import kstate
from harness import bochs, debugger, paths

from . import commands, words

PROMPT_RE = re.compile(r"<bochs:(\d+)> $")
STOP_LINE_RE = re.compile(r"^(\(\d+\) Breakpoint \d+|\(\d+\) \[0x|Next at t=)")
BREAK_HIT_RE = re.compile(r"\(\d+\) Breakpoint (\d+),")
CONTINUE = ("c", "cont", "continue")
HANDLER = "vm::handle_fault"
RET = 0xC3                    # the `ret` opcode
FAULT_ARG = 8                 # handle_fault(AddressSpace&, const PageFault&): [esp+8] at entry
HISTORY = os.path.join(paths.BUILD, ".debug-history")

HELP = """vm commands (everything else goes to Bochs; `help` is Bochs's own help):
  vm page ADDR [pid]     the walk for ADDR (0x..., cr2, a register or a symbol) in the current
                         (or pid's) address space: entries decoded, the vpage, the frame; !! marks
                         every inconsistency
  vm vpage REF           one vpage: resident or not, frame, refs, store and offset, flags, waiters
  vm frame PADDR         a frame's descriptor, its owner vpage, and where it is mapped (a scan)
  vm procs               the recency list, top first, with each process's resident pages
  vm frames              free / kernel / user / dirty / shared frame counts
  vm check               recount every map count and vpage reference against the page tables
  vm break fault [ADDR]  stop in vm::handle_fault when the fault is in ADDR's page (any fault
                         without ADDR; again to add pages); `vm break off` removes it
  vm finish              run the current function to its return (handle_fault: its FaultResult)"""


class Shell:
    """One interactive session over a started BochsSession."""

    def __init__(self, session, kernel_elf, symfile, *, interactive, out=None, history=None):
        self.session = session
        self.dbg = debugger.Debugger(session, kernel_elf, symfile, budget=None, wall_timeout=10 ** 9)
        self.views = commands.Views(self.dbg)
        self.interactive = interactive
        self.history = history or HISTORY
        self.out = out or sys.stdout
        self.number = 1             # the prompt counts the lines typed here, not Bochs's own
        self.last_line = None       # what an empty line repeats
        self.running = False        # the guest runs: Ctrl-C goes to Bochs
        self.fault_break = None     # (breakpoint number, set of pages, or None for any page)
        self.by_address = {}
        for name, addr in self.dbg.symbols.items():
            if addr is not None:
                self.by_address.setdefault(addr, name)

    # -- output ---------------------------------------------------------------
    def write(self, text):
        """Print text as is."""
        self.out.write(text)
        self.out.flush()

    def say(self, lines):
        """Print the shell's own lines."""
        self.write("".join(line + "\n" for line in lines))

    def pump(self, hold_stops=False):
        """Stream Bochs's output until its next prompt (or its exit); return
        (text, held stop lines). With hold_stops, Bochs's lines about a
        debugger stop are returned instead of printed."""
        s = self.session
        pending, text, held = "", [], []
        self.running = True
        try:
            while True:
                mark = len(s.since)
                alive = s._read(0.1)
                pending += "".join(s.since[mark:]).replace("\r", "")
                prompt = PROMPT_RE.search(pending)
                if prompt:
                    pending = pending[:prompt.start()]
                    s.at_prompt = True
                    s._note_ticks()
                    s.take()
                done = bool(prompt) or not alive
                lines = pending.split("\n")
                pending = "" if done else lines.pop()
                if done and lines and lines[-1] == "":
                    lines.pop()
                for line in lines:
                    text.append(line)
                    if hold_stops and STOP_LINE_RE.match(line):
                        held.append(line)
                    else:
                        self.write("".join(h + "\n" for h in held) + line + "\n")
                        held = []
                if done:
                    return "\n".join(text), held
        finally:
            self.running = False

    def bochs(self, line, hold_stops=False):
        """Send one line to Bochs and stream its answer: (text, held lines)."""
        s = self.session
        s.take()
        s.at_prompt = False
        s.child.sendline(line)
        return self.pump(hold_stops)

    # -- continuing, with the fault breakpoint's filter --------------------------
    def cont(self, line="c"):
        """Continue; stops of the fault breakpoint outside its pages are
        continued silently. Returns the text of the stop shown."""
        skipped = 0
        while True:
            text, held = self.bochs(line, hold_stops=self.fault_break is not None)
            if self.session.exited:
                self.say(held)
                return text
            hit = BREAK_HIT_RE.search(text)
            ours = self.fault_break and hit and int(hit.group(1)) == self.fault_break[0]
            if not ours:
                self.say(held)
                break
            fault = self.current_fault()
            pages = self.fault_break[1]
            if pages is None or fault is None or fault[0] & ~0xFFF in pages:
                self.say(held)
                if skipped:
                    self.say([f"vm: ({skipped} fault{'s' * (skipped != 1)} in other pages continued)"])
                self.say(self.fault_summary(fault))
                break
            skipped += 1
            line = "c"
        return text

    def current_fault(self):
        """(address, error code, eip) of the PageFault handle_fault got, at its entry."""
        esp = self.dbg.regs().get("esp")
        if esp is None:
            return None
        return tuple(self.dbg.read_virt(self.dbg.read_virt(esp + FAULT_ARG)[0], 3))

    def fault_summary(self, fault):
        """The stop in words."""
        if fault is None:
            return []
        address, error, eip = fault
        cr2 = self.dbg.creg().get("cr2", 0)
        cr3 = self.dbg.creg().get("cr3", 0) & words.FRAME_MASK
        me = [p for p in kstate.processes(self.dbg) if p.directory == cr3]
        lines = [f"vm: fault at 0x{address:08x}: {words.fault_cause(error)}, eip 0x{eip:08x}"
                 + (" (none: the kernel, for a system call)" if eip == 0 else "")
                 + (f", pid {me[0].pid} ({me[0].name})" if me else "")]
        if cr2 != address:
            lines.append(f"vm: CR2 is 0x{cr2:08x}: this fault was made up by a system call checking a user "
                         "buffer (range_ok); CR2 still holds the processor's last fault")
        lines.append(f"vm: try `vm page 0x{address:08x}`, `vm finish` (run the handler to its return), `s`")
        return lines

    # -- vm commands that run the guest --------------------------------------------
    def break_fault(self, args):
        """vm break fault [ADDR] | vm break off."""
        if args[:1] == ["off"]:
            if self.fault_break:
                self.dbg.cmd(f"d {self.fault_break[0]}")
                self.fault_break = None
            return ["vm: fault breakpoint removed"]
        if args[:1] != ["fault"] or len(args) > 2:
            raise ValueError("usage: vm break fault [ADDR]  |  vm break off")
        entry = self.dbg.symbol_address(HANDLER)
        page = self.views.address(args[1]) & ~0xFFF if len(args) > 1 else None
        if self.fault_break and self.fault_break[0] in self.dbg.breakpoints():
            number, pages = self.fault_break
            pages = None if page is None or pages is None else pages | {page}
        else:
            before = set(self.dbg.breakpoints())
            self.dbg.cmd(f"lb 0x{entry:x}")
            number = max(set(self.dbg.breakpoints()) - before)
            pages = None if page is None else {page}
        self.fault_break = (number, pages)
        where = ("at every fault" if pages is None
                 else "when the fault is in page " + ", ".join(f"0x{p:08x}" for p in sorted(pages)))
        return [f"vm: breakpoint {number} at {HANDLER} (0x{entry:08x}) stops {where}; `c` to run"]

    def function_at(self, eip):
        """(name, start) of the function holding eip, from the symbol file."""
        best = max((a for a in self.by_address if a <= eip), default=None)
        return (self.by_address[best], best) if best is not None else (f"0x{eip:08x}", eip)

    def return_slot(self, regs, start):
        """Where the current function's return address is: on top of the
        stack at its first instruction and at its `ret`, above the saved ebp
        after `push ebp`, and at ebp + 4 once `mov ebp, esp` ran (the kernel
        keeps frame pointers)."""
        eip, esp = regs["eip"], regs["esp"]
        if eip == start or self.dbg.read_virt(eip & ~3)[0] >> 8 * (eip & 3) & 0xFF == RET:
            return esp
        if eip == start + 1:
            return esp + 4
        return regs["ebp"] + 4

    def finish(self, args):
        """vm finish: run to the current function's return."""
        self.views.running()
        regs = self.dbg.regs()
        name, start = self.function_at(regs["eip"])
        back = self.dbg.read_virt(self.return_slot(regs, start))[0]
        before = set(self.dbg.breakpoints())
        self.dbg.cmd(f"lb 0x{back:x}")
        temporary = max(set(self.dbg.breakpoints()) - before)
        self.say([f"vm: running {name} to its return at 0x{back:08x} (temporary breakpoint {temporary})"])
        self.cont()
        if self.session.exited:
            return []
        self.dbg.cmd(f"d {temporary}")
        now = self.dbg.regs()
        if now.get("eip") != back:
            return [f"vm: stopped before {name} returned"]
        if name == HANDLER:
            return [f"vm: {name} returned {words.fault_result(now['eax'] & 0xFF)}"]
        return [f"vm: {name} returned, eax 0x{now['eax']:08x}"]

    # -- dispatch ---------------------------------------------------------------
    def vm(self, args):
        """Run one `vm` command; never raises."""
        table = {"page": self.views.page, "vpage": self.views.vpage, "frame": self.views.frame,
                 "procs": self.views.procs, "frames": self.views.frames, "check": self.views.check,
                 "break": self.break_fault, "finish": self.finish}
        try:
            if not args or args[0] not in table:
                self.say(HELP.splitlines())
                return
            self.say(table[args[0]](args[1:]))
        except (words.NotThere, ValueError) as e:
            self.say([f"vm {args[0]}: {e}"])
        except debugger.CheckFailed as e:
            self.say([f"vm {args[0]}: cannot read the kernel's state here: {e}"])
        except (bochs.GuestExited, debugger.KernelStopped):
            self.session.exited = True
        except bochs.CommandTimeout as e:
            self.say([f"vm {args[0]}: Bochs did not answer: {e}"])
        except Exception as e:  # never let a bug in a view end the session
            self.say([f"vm {args[0]}: internal error: {e!r} (traceback in build/.debug-errors)"])
            with open(os.path.join(paths.BUILD, ".debug-errors"), "a") as f:
                f.write(traceback.format_exc())
        finally:
            self.dbg.transcript.clear()

    @property
    def prompt(self):
        """`<bochs:N> `, N counting the lines typed in this shell (Bochs's own
        number also counts the commands the vm views send)."""
        return f"<bochs:{self.number}> "

    def handle(self, line):
        """One input line."""
        self.number += 1
        parts = line.split()
        if parts[:1] == ["vm"]:
            self.vm(parts[1:])
        elif parts[:1] and parts[0] in CONTINUE:
            self.cont(line)
        else:
            self.bochs(line)

    # -- input ------------------------------------------------------------------
    def read_line(self):
        """The next command, or None at the end of input."""
        if self.interactive:
            try:
                return input(self.prompt)
            except EOFError:
                self.write("\n")
                return None
        line = sys.stdin.readline()
        if not line:
            return None
        self.write(self.prompt + line)
        return line.rstrip("\n")

    def on_sigint(self, signum, frame):
        """Ctrl-C: break into the debugger while the guest runs."""
        if self.running:
            self.session.child.sendintr()
        else:
            raise KeyboardInterrupt

    def setup_readline(self):
        """Line editing, history, completion of vm words and symbols."""
        import readline
        try:
            readline.read_history_file(self.history)
        except OSError:
            pass
        readline.set_history_length(2000)
        names = sorted(["vm", "page", "vpage", "frame", "procs", "frames", "check", "break", "fault",
                        "finish", "off"] + [n for n in self.dbg.symbols if n])
        readline.set_completer_delims(" \t\n\"")
        readline.set_completer(lambda text, i: ([n for n in names if n.startswith(text)] + [None])[i])
        readline.parse_and_bind("tab: complete")
        return readline

    def run(self, first=()):
        """The session: startup text, `first` commands, then the input loop.
        Returns Bochs's exit status."""
        start = self.session.transcript
        prompt = PROMPT_RE.search(start)
        self.write(start[:prompt.start()] if prompt else start)
        signal.signal(signal.SIGINT, self.on_sigint)
        readline = self.setup_readline() if self.interactive else None
        try:
            for line in first:
                self.write(self.prompt + line + "\n")
                self.handle(line)
            while not self.session.exited:
                try:
                    line = self.read_line()
                except KeyboardInterrupt:
                    self.write("\n")
                    continue
                if line is None:
                    self.bochs("q")
                    break
                if line.strip():
                    self.last_line = line
                elif self.last_line:
                    line = self.last_line   # as in Bochs: an empty line repeats the last command
                else:
                    continue
                try:
                    self.handle(line)
                except KeyboardInterrupt:       # Ctrl-C while a vm view reads memory
                    self.write("\nvm: interrupted\n")
                    self.resync()
        finally:
            if readline:
                try:
                    os.makedirs(os.path.dirname(os.path.abspath(self.history)), exist_ok=True)
                    readline.write_history_file(self.history)
                except OSError:
                    pass
        return self.exit_status()

    def resync(self):
        """Back at Bochs's prompt after an interrupted command (its answer is dropped)."""
        s = self.session
        if not s.at_prompt and not s.exited and s.wait(bochs.COMMAND_TIMEOUT) == "prompt":
            s.take()
        self.dbg.transcript.clear()

    def exit_status(self):
        """Bochs's exit status once it has ended (1 after a guest power-off)."""
        child = self.session.child
        try:
            child.close()
        except Exception:  # already reaped
            pass
        return child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0)
