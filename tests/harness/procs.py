"""Bookkeeping of spawned Bochs processes: none may outlive the harness.

Every pexpect child is registered here while it lives. `kill()` ends the
child's whole process group (pexpect puts it in a session of its own), and an
atexit hook plus SIGTERM/SIGINT/SIGHUP handlers kill whatever is still
registered, whatever way the harness ends.
"""

import atexit
import glob
import os
import signal
import threading

_lock = threading.Lock()
_live = set()
_installed = False
stopping = threading.Event()     # set by a signal: spawn nothing more


class Stopping(Exception):
    """The harness is being stopped by a signal: no new Bochs may start."""


def register(child):
    """Remember a freshly spawned pexpect child (killed at once when stopping)."""
    _install_handlers()
    with _lock:
        if not stopping.is_set():
            _live.add(child)
            return
    kill(child)
    raise Stopping("stopped by a signal")


def kill(child):
    """Kill the child's process group, reap it, forget it. Safe to repeat."""
    with _lock:
        _live.discard(child)
    pid = getattr(child, "pid", None)
    if pid:
        for target in (lambda: os.killpg(pid, signal.SIGKILL),
                       lambda: os.kill(pid, signal.SIGKILL)):
            try:
                target()
            except (ProcessLookupError, PermissionError, OSError):
                pass
    # pexpect sleeps 0.1 s in close() before it looks at the child: after a
    # SIGKILL (or the child's own exit) that is a tenth of a second per run
    # for nothing. If the child still lives, close() still terminates it.
    ptyproc = getattr(child, "ptyproc", None)
    if ptyproc is not None:
        ptyproc.delayafterclose = 0
    try:
        child.close(force=True)
    except Exception:  # already closed or reaped: nothing left to do
        pass


def kill_all():
    """Kill every registered child (atexit and signal handlers call this)."""
    with _lock:
        children = list(_live)
    for child in children:
        kill(child)


def remove_locks(*paths, workdir=None):
    """Remove Bochs lock files: `<image>.lock` for each path, `*.lock` in workdir."""
    candidates = [p + ".lock" for p in paths if p]
    if workdir:
        candidates += glob.glob(os.path.join(workdir, "*.lock"))
    for lock in candidates:
        try:
            os.unlink(lock)
        except FileNotFoundError:
            pass


def _on_signal(signum, frame):
    """Kill the children, then behave as the signal normally would."""
    stopping.set()
    kill_all()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _install_handlers():
    """Install the atexit hook and, from the main thread, the signal handlers."""
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(kill_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, _on_signal)


def install():
    """Install the handlers now (call from the main thread before any thread)."""
    _install_handlers()
