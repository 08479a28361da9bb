"""Running the kernel in Bochs, headless, under the Bochs debugger.

Bochs is started as
    bochs -q -f <repo>/bochsrc <override lines...>
with the work directory as its current directory, so the one bochsrc of the
kit is used with only the per-run lines (ISO, serial file, log, memory, symbols)
appended; a later line wins. Debian's Bochs always has its debugger and stops
at `<bochs:1>` before the first instruction: `run()` sets a time breakpoint
(`sba BUDGET`, guest instructions, as `clock: sync=none` makes ticks equal
instructions) and continues. How a run can end (RunResult.outcome):

  poweroff      the kernel powered the machine off (Bochs exited)
  panic         the kernel printed its `@@ <token> PANIC` line
  budget        time breakpoint hit: still running after BUDGET instructions
  timeout       wall-clock backstop expired (we break in with Ctrl-C)
  triple-fault  Bochs: "exception(): 3rd (N) exception with no resolution"
  flood         more console output than the cap: stopped
  bochs-error   Bochs did not start, or stopped for a reason of its own

On budget, timeout and flood the debugger's view of the machine (`r`, `sreg`,
`creg`, `print-stack`, `info tab`) is recorded in RunResult.dump.

Two channels, never mixed: the kernel's text reaches the harness only through
COM1, which Bochs writes to `serial.out` in the work directory; Bochs's stdout
carries only the debugger (prompts, `Next at t=...`), as automated runs switch
the port-0xE9 mirror off. Nothing the guest prints can look like a prompt or a
tick count to the harness.
"""

import os
import re
import sys
import time
from dataclasses import dataclass, field

import pexpect

from . import kout, paths, procs

DEFAULT_MEGS = 32
DEFAULT_BUDGET = 2_000_000_000
FLOOD_CAP = 64 * 1024   # the chattiest test prints 8 KiB; a flood is stopped after 64 KiB
START_TIMEOUT = 30          # seconds for Bochs to reach its first prompt
COMMAND_TIMEOUT = 30        # seconds for one debugger command
POLL_INTERVAL = 0.5         # seconds between checks for a halted CPU
DUMP_COMMANDS = ("r", "sreg", "creg", "print-stack", "info tab")
DUMP_MAX_LINES = 40         # per dump command (`info tab` can be long)

PROMPT_RE = re.compile(r"<bochs:(\d+)> $")
TICK_RES = (re.compile(r"Next at t=(\d+)"), re.compile(r"\(\d+\)\.?\[(\d+)\]"))
EXIT_RE = re.compile(
    r"Bochs is exiting with the following message:\s*\n\s*\[([^\]\n]*)\]\s*([^\r\n]*)")
LOG_PANIC_RE = re.compile(r">>PANIC<<\s*([^\r\n]*)")
TIME_BREAK = "Caught time breakpoint"
UNUSED_REGS_RE = re.compile(r"^r(8 |9 |1[0-5]): ")   # 64-bit only: not in dumps
HALT_NOTE = "CPU halted with interrupts disabled: cli; hlt"
BREAK_RE = re.compile(r"Caught time breakpoint|Breakpoint \d+|Magic breakpoint|Caught .*watch")

def default_timeout(budget):
    """Wall-clock backstop for a budget: boot plus 10 M instructions a second."""
    return 30.0 + (budget or DEFAULT_BUDGET) / 10_000_000


class BochsStartError(Exception):
    """Bochs exited or stalled before its first debugger prompt."""


class GuestExited(Exception):
    """Bochs exited while a debugger command was expected to return."""


class CommandTimeout(Exception):
    """A debugger command did not give the prompt back in time."""


@dataclass
class RunResult:
    """How one run ended, with everything needed to judge and report it."""
    outcome: str
    reason: str
    ticks: int = None
    wall: float = 0.0
    workdir: str = ""
    iso: str = ""
    megs: int = DEFAULT_MEGS
    budget: int = None
    serial: str = ""        # the kernel's text (COM1)
    console: str = ""       # Bochs's stdout: the debugger's side only
    dump: str = ""
    exit_message: str = ""
    stop: str = ""          # how Bochs stopped, before a kernel panic relabels it
    stopped_at: int = None  # the instruction count a replay stops at (None: runs to the end)
    report: kout.Report = field(default_factory=kout.Report)

    @property
    def ended_by_itself(self):
        """True when the machine stopped without the harness stopping it."""
        return self.stop in ("poweroff", "triple-fault")


# ---------------------------------------------------------------- set-up ----

def _bochsrc_relative_symbols():
    """Relative `debug_symbols:` paths of the bochsrc (loaded while parsing it)."""
    found = []
    try:
        with open(paths.BOCHSRC) as f:
            for line in f:
                m = re.match(r'\s*debug_symbols:\s*file="?([^",\s]+)', line)
                if m and not os.path.isabs(m.group(1)):
                    found.append(m.group(1))
    except OSError:
        pass
    return found


def prepare_workdir(workdir):
    """Create the work directory and stand-ins for the bochsrc's relative files.

    Bochs loads a `debug_symbols:` file while it parses the bochsrc, before the
    override lines, and a missing file is fatal; an empty stand-in under the
    work directory (Bochs's current directory) keeps the override the only
    symbols loaded.
    """
    os.makedirs(workdir, exist_ok=True)
    for rel in _bochsrc_relative_symbols():
        stand_in = os.path.join(workdir, rel)
        if not os.path.exists(stand_in):
            os.makedirs(os.path.dirname(stand_in), exist_ok=True)
            open(stand_in, "w").close()


def swap_disk(workdir, swap_mib):
    """A fresh, zeroed swap disk image of `swap_mib` MiB in the work directory
    (the second ATA disk, lab 5's swap store); its path."""
    path = os.path.join(workdir, "swap.img")
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(int(swap_mib) << 20)
    return path


def override_lines(iso, workdir, megs=DEFAULT_MEGS, symfile=None, extra=(), e9=False, swap_mib=0):
    """The bochsrc lines appended on the command line for one run: the boot
    medium (an ISO path, or a shimboot.ShimImage: its ROM and RAM images),
    COM1 to serial.out, the log, the memory, with `swap_mib` a fresh swap disk
    as ata0-slave (lab 5), then `extra` bochsrc lines. Without `e9` the
    port-0xE9 mirror is off, so the guest cannot write to Bochs's stdout."""
    media = iso.bochs_lines() if hasattr(iso, "bochs_lines") else [
        f"ata0-master: type=cdrom, path={os.path.abspath(iso)}, status=inserted"]
    lines = media + [
        f"com1: enabled=1, mode=file, dev={os.path.join(workdir, 'serial.out')}",
        f"log: {os.path.join(workdir, 'bochs.log')}",
        f"megs: {int(megs)}",
        f"port_e9_hack: enabled={1 if e9 else 0}",
    ]
    if symfile:
        lines.append(f"debug_symbols: file={os.path.abspath(symfile)}")
    if swap_mib:
        lines.append(f"ata0-slave: type=disk, path={swap_disk(workdir, swap_mib)}, mode=flat")
    return lines + list(extra)


def bochs_argv(iso, workdir, megs=DEFAULT_MEGS, symfile=None, rcfile=None, extra=(), e9=False, swap_mib=0):
    """The full Bochs command line (argv[0] is `bochs`)."""
    argv = ["bochs", "-q", "-f", paths.BOCHSRC]
    if rcfile:
        argv += ["-rc", rcfile]
    return argv + override_lines(iso, workdir, megs, symfile, extra, e9, swap_mib)


def bochs_env():
    """Environment for Bochs: dummy SDL video, a terminal without escapes."""
    return dict(os.environ, SDL_VIDEODRIVER="dummy", TERM="dumb")


def last_tick(text):
    """The last instruction count Bochs printed in `text`, or None."""
    best = None
    for regex in TICK_RES:
        for m in regex.finditer(text):
            if best is None or m.start() > best[0]:
                best = (m.start(), int(m.group(1)))
    return best[1] if best else None


# ---------------------------------------------------------- serial follower --

class SerialFollower:
    """Copies what the kernel wrote to serial.out so far to a stream (make run)."""

    def __init__(self, path, out):
        self.path = path
        self.out = out
        self.offset = 0

    def poll(self):
        """Write out the bytes added to the file since the last call."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return
        if data:
            self.offset += len(data)
            self.out.write(data.decode("utf-8", "replace"))
            self.out.flush()

    def flush(self):
        """Write out the rest."""
        self.poll()


# --------------------------------------------------------------- session ----

class BochsSession:
    """One Bochs process under pexpect, driven through its debugger prompt."""

    TRANSCRIPT_CAP = FLOOD_CAP + 256 * 1024

    def __init__(self, iso, *, workdir, megs=DEFAULT_MEGS, symfile=None,
                 stream=False, out=None, extra_lines=(), e9=False, swap_mib=0):
        self.image = iso        # an ISO path or a shimboot.ShimImage
        self.iso = os.path.abspath(getattr(iso, "path", iso))
        self.workdir = os.path.abspath(workdir)
        self.megs = megs
        self.swap_mib = swap_mib
        self.symfile = symfile
        self.serial_path = os.path.join(self.workdir, "serial.out")
        self.log_path = os.path.join(self.workdir, "bochs.log")
        self.extra_lines = list(extra_lines)
        self.e9 = e9  # mirror the console on Bochs's stdout (interactive debugging only)
        self.filter = SerialFollower(self.serial_path, out or sys.stdout) if stream else None
        self.child = None
        self.chunks = []        # Bochs stdout, up to TRANSCRIPT_CAP characters
        self.size = 0           # characters read in all
        self.since = []         # what came since the last command or resume
        self.tail = ""
        self.exited = False
        self.at_prompt = False
        self.ticks = 0

    # -- process ------------------------------------------------------------
    def start(self):
        """Spawn Bochs and wait for its first prompt (BochsStartError if not)."""
        prepare_workdir(self.workdir)
        if hasattr(self.image, "prepare"):
            self.image.prepare()    # the shim's payload disk, fresh for every start
        for old in (self.serial_path, self.log_path):
            if os.path.exists(old):
                os.unlink(old)
        argv = bochs_argv(self.image, self.workdir, self.megs, self.symfile, extra=self.extra_lines, e9=self.e9,
                          swap_mib=self.swap_mib)
        self.child = pexpect.spawn(argv[0], argv[1:], cwd=self.workdir, env=bochs_env(),
                                   encoding="utf-8", codec_errors="replace", echo=False)
        self.child.delaybeforesend = None     # pexpect's default 50 ms a send
        procs.register(self.child)
        event = self.wait(START_TIMEOUT)
        if event != "prompt":
            raise BochsStartError(self.failure_message() if event == "exit"
                                  else "no debugger prompt within %d s" % START_TIMEOUT)
        self.take()

    def close(self):
        """Kill Bochs if it still runs; remove lock files. Safe to repeat."""
        if self.filter:
            self.filter.flush()
        if self.child is not None:
            procs.kill(self.child)
        procs.remove_locks(self.iso, workdir=self.workdir)

    def quit(self, timeout=10):
        """Leave the debugger with `q` (when at the prompt) and wait for exit."""
        if self.at_prompt and not self.exited:
            self.child.sendline("q")
            self.at_prompt = False
            deadline = time.monotonic() + timeout
            while not self.exited and time.monotonic() < deadline:
                self._read(0.2)
        self.close()

    # -- output ------------------------------------------------------------
    def _take_chunk(self, data):
        """Account one chunk of Bochs output."""
        if self.size < self.TRANSCRIPT_CAP:
            self.chunks.append(data)
        self.size += len(data)
        self.since.append(data)
        self.tail = (self.tail + data)[-512:]

    def _read(self, timeout):
        """Read what Bochs printed within `timeout` s; False once it has exited."""
        if self.filter:
            self.filter.poll()
        if self.exited:
            return False
        try:
            self._take_chunk(self.child.read_nonblocking(65536, timeout))
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            self.exited = True
            self.at_prompt = False
            return False
        return True

    def wait(self, timeout):
        """Wait for a prompt: "prompt", "exit" (Bochs ended) or None (timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            if not self._read(max(0.0, min(0.2, deadline - time.monotonic()))):
                self._note_ticks()
                return "exit"
            if PROMPT_RE.search(self.tail):
                self.at_prompt = True
                self._note_ticks()
                return "prompt"
            if time.monotonic() >= deadline:
                return None

    def _note_ticks(self):
        """Update `ticks` from the latest output."""
        tick = last_tick("".join(self.since)[-8192:])
        if tick is not None:
            self.ticks = tick

    def take(self):
        """Return (and forget) the output since the last command, prompt removed."""
        text = "".join(self.since)
        self.since = []
        self.tail = ""
        return PROMPT_RE.sub("", text).replace("\r", "")

    @property
    def transcript(self):
        """All Bochs stdout kept so far (capped)."""
        return "".join(self.chunks).replace("\r", "")

    def serial_text(self, cap=TRANSCRIPT_CAP):
        """The COM1 output file's text (its first `cap` bytes)."""
        try:
            with open(self.serial_path, "rb") as f:
                return f.read(cap).decode("utf-8", "replace")
        except OSError:
            return ""

    def serial_size(self):
        """Current size of the COM1 output file."""
        try:
            return os.path.getsize(self.serial_path)
        except OSError:
            return 0

    def exit_message(self):
        """Bochs's "exiting with the following message" text, or "". When the
        transcript lost it (a Ctrl-C poll that crossed the guest's power-off),
        the last PANIC line of bochs.log, which only Bochs writes, says it."""
        found = list(EXIT_RE.finditer(self.transcript[-16384:]))
        if found:
            component, message = (part.strip() for part in found[-1].groups())
            return f"[{component}] {message}" if component else message
        return self.log_panic()

    def log_panic(self):
        """The message of the last `>>PANIC<<` line of bochs.log, or ""."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(max(0, os.path.getsize(self.log_path) - 16384))
                tail = f.read().decode("latin-1")
        except OSError:
            return ""
        found = LOG_PANIC_RE.findall(tail)
        return found[-1].strip() if found else ""

    def failure_message(self):
        """Why Bochs ended without us asking: its exit message or last lines."""
        message = self.exit_message()
        if message:
            return message
        lines = [l for l in self.transcript.splitlines() if l.strip()]
        return " | ".join(lines[-3:]) or "Bochs exited without output"

    # -- debugger ------------------------------------------------------------
    def command(self, cmd, timeout=COMMAND_TIMEOUT):
        """Run one debugger command at the prompt; return its output text."""
        if not self.at_prompt:
            raise RuntimeError("Bochs is not at its debugger prompt")
        self.take()
        self.at_prompt = False
        self.child.sendline(cmd)
        event = self.wait(timeout)
        if event == "exit":
            raise GuestExited(self.take())
        if event is None:
            raise CommandTimeout(f"`{cmd}` gave no prompt back within {timeout} s")
        lines = self.take().split("\n")
        if lines and lines[0].strip() == cmd.strip():
            lines = lines[1:]     # readline's echo of the command
        return "\n".join(lines).strip("\n")

    def resume(self):
        """Continue the guest (`c`) without waiting."""
        self.take()
        self.at_prompt = False
        self.child.sendline("c")

    def interrupt(self, timeout=10):
        """Break into the debugger with Ctrl-C: "prompt", "exit" or None."""
        self.child.sendintr()
        return self.wait(timeout)


# ------------------------------------------------------------------- run ----

def classify_exit(session):
    """(outcome, reason) for a Bochs that exited by itself."""
    message = session.exit_message()
    rules = (
        (r"shutdown requested|soft power off|power.?off", "poweroff", "kernel powered off"),
        (r"exception with no resolution", "triple-fault", "triple fault (Bochs: {m})"),
        (r"No bootable device", "bochs-error", "BIOS found no bootable device (bad ISO?)"),
    )
    for pattern, outcome, reason in rules:
        if message and re.search(pattern, message, re.I):
            return outcome, reason.format(m=message)
    return "bochs-error", "Bochs stopped: " + session.failure_message()


def halted_at(session):
    """The address of the `hlt` the CPU sits in with interrupts off, or None."""
    try:
        regs = session.command("r")
        eflags = re.search(r"eflags 0x([0-9a-f]+)", regs)
        eip = re.search(r"rip: ([0-9a-f]+)_([0-9a-f]+)", regs)
        if not eflags or not eip or int(eflags.group(1), 16) & 0x200:
            return None
        address = int(eip.group(2), 16) - 1
        return address if "0xf4" in session.command("x /1bx 0x%x" % address) else None
    except (GuestExited, CommandTimeout):
        return None


def _halt_note(session):
    """" (cli; hlt at 0x...)" when the CPU sits in hlt with interrupts off, else ""."""
    address = halted_at(session)
    return "" if address is None else f" ({HALT_NOTE} at 0x{address:08x})"


HALT_AT_RE = re.compile(re.escape(HALT_NOTE) + r" at 0x([0-9a-f]+)")


def halt_address(reason):
    """The hlt address a budget reason names (see _halt_note), or None."""
    m = HALT_AT_RE.search(reason or "")
    return int(m.group(1), 16) if m else None


def find_halt_tick(iso, *, workdir, megs, budget, address, extra_lines=(), swap_mib=0, wall_timeout=None):
    """The instruction count at which the CPU last reached the `hlt` at
    `address` before `budget`, found by running the same machine again with a
    breakpoint there (runs are the same to the instruction). A time breakpoint
    never fires in `cli; hlt`, so this is where a replay must stop. None if
    the breakpoint is never hit."""
    session = BochsSession(iso, workdir=workdir, megs=megs, extra_lines=extra_lines, swap_mib=swap_mib)
    deadline = time.monotonic() + (wall_timeout or default_timeout(budget))
    last = None
    try:
        session.start()
        session.command(f"lb 0x{address:x}")
        session.command(f"sba {int(budget)}")
        session.resume()
        while time.monotonic() < deadline:
            event = session.wait(0.3)
            if event is None:
                event = session.interrupt()
            if event != "prompt":
                break
            text = session.take()
            if re.search(r"Breakpoint \d+", text):
                last = session.ticks
            elif session.ticks >= budget:
                break
            session.resume()
        session.quit()
    except (BochsStartError, GuestExited, CommandTimeout):
        pass
    finally:
        session.close()
    return last


def _over_cap(session, cap):
    """True when the console or the serial file grew past `cap` bytes."""
    return cap and (session.size > cap or session.serial_size() > cap)


def supervise(session, budget, wall_timeout, flood_cap, poll_interval=POLL_INTERVAL,
              stop_at_breaks=False):
    """Continue the guest until it ends or must be stopped: (outcome, reason).

    Besides the time breakpoint, the CPU is checked every `poll_interval` s with
    Ctrl-C: a `cli; hlt` makes Bochs skip time without ever reaching the time
    breakpoint, so a tick count beyond the budget there is a hang too.
    Other debugger stops (breakpoints, magic breakpoints, shorter time
    breakpoints) are continued, or with `stop_at_breaks` returned as
    ("break", <debugger text>).
    """
    start = time.monotonic()
    deadline = start + wall_timeout if wall_timeout else None
    next_poll = start + poll_interval
    session.resume()
    while True:
        now = time.monotonic()
        if deadline and now >= deadline:
            if session.interrupt() == "exit":
                return classify_exit(session)
            return "timeout", f"wall-clock timeout after {wall_timeout:g} s"
        event = session.wait(min(0.25, deadline - now) if deadline else 0.25)
        if event is None and _over_cap(session, flood_cap):
            if session.interrupt() == "exit":
                return classify_exit(session)
            return "flood", f"output flood: more than {flood_cap // 1024} KiB of console output"
        polled = event is None and budget and now >= next_poll
        if polled:
            next_poll = now + poll_interval
            event = session.interrupt()
        if event == "exit":
            return classify_exit(session)
        if event != "prompt":
            continue
        text = session.take()
        if budget and session.ticks >= budget:
            return "budget", (f"still running after {budget:,} instructions"
                              + (_halt_note(session) if polled else " (hang?)"))
        if stop_at_breaks and (not polled or BREAK_RE.search(text)):
            return "break", text
        session.resume()


def collect_dump(session, commands=DUMP_COMMANDS, max_lines=DUMP_MAX_LINES):
    """Run the dump commands at the prompt; return their text, each truncated."""
    parts = []
    for cmd in commands:
        try:
            lines = [line for line in session.command(cmd).splitlines()
                     if not UNUSED_REGS_RE.match(line)]
        except (GuestExited, CommandTimeout) as e:
            parts.append(f"<bochs> {cmd}\n({e.__class__.__name__})")
            break
        if len(lines) > max_lines:
            lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
        parts.append(f"<bochs> {cmd}\n" + "\n".join(lines))
    return "\n".join(parts)


def run(iso, *, megs=DEFAULT_MEGS, budget=DEFAULT_BUDGET, wall_timeout=None,
        symfile=None, workdir, stream=False, token=None, cmds_at_stop=DUMP_COMMANDS,
        flood_cap=FLOOD_CAP, out=None, extra_lines=(), swap_mib=0):
    """Boot `iso` headless under the debugger until it ends or must be stopped.

    `budget` is in guest instructions (None or 0: unlimited); `wall_timeout` in
    seconds (None: derived from the budget; 0: none); `token` selects whose
    `@@` lines count (None: any); `extra_lines` are more bochsrc lines (see
    override_lines). Returns a RunResult; never leaves Bochs running.
    """
    if wall_timeout is None:
        wall_timeout = default_timeout(budget)
    started = time.monotonic()
    session = BochsSession(iso, workdir=workdir, megs=megs, symfile=symfile,
                           stream=stream, out=out, extra_lines=extra_lines, swap_mib=swap_mib)
    dump = ""
    try:
        try:
            session.start()
            if budget:
                session.command(f"sba {int(budget)}")
            outcome, reason = supervise(session, budget, wall_timeout, flood_cap)
        except BochsStartError as e:
            outcome, reason = "bochs-error", f"Bochs did not start: {e}"
        except (GuestExited, CommandTimeout) as e:
            outcome, reason = "bochs-error", f"Bochs debugger: {e}"
        if session.filter:
            session.filter.flush()
            session.filter = None
        if session.at_prompt:
            dump = collect_dump(session, cmds_at_stop)
        session.quit()
    finally:
        session.close()
    result = make_result(session, outcome, reason, dump, token, budget, time.monotonic() - started)
    if result.stop in ("budget", "timeout", "flood"):
        result.stopped_at = result.ticks
        address = halt_address(reason)
        if address is not None:   # ticks race on in `cli; hlt`: find the hlt's own count
            result.stopped_at = find_halt_tick(
                iso, workdir=os.path.join(workdir, "halt-search"), megs=megs, budget=budget,
                address=address, extra_lines=extra_lines, swap_mib=swap_mib)
        result.wall = time.monotonic() - started
    return result


def make_result(session, outcome, reason, dump, token, budget, wall):
    """Assemble the RunResult, relabelling a run that ended in a kernel panic."""
    serial = session.serial_text()
    console = session.transcript
    report = kout.parse(serial, token)
    stop = outcome
    if report.panics and outcome in ("poweroff", "budget", "timeout"):
        outcome, reason = "panic", "kernel panic: " + report.panics[0]
    return RunResult(outcome=outcome, reason=reason, ticks=session.ticks, wall=wall,
                     workdir=session.workdir, iso=session.iso, megs=session.megs,
                     budget=budget, serial=serial, console=console, dump=dump,
                     exit_message=session.exit_message(), stop=stop, report=report)
