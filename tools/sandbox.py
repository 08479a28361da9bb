"""sandbox.py: run a student's code (build, host tests, Bochs runs) in a
bubblewrap sandbox (Debian `bubblewrap`).

What a sandboxed command gets:
  1. an unprivileged user: uid 65534 inside, a numeric grading uid outside
     (--uid; one per parallel grading slot, so that one submission's process
     limit cannot starve another's), no capabilities;
  2. a read-only view of the system (/usr and its links, a few files of /etc:
     no /etc/shadow, no /root, no /home, no /work) and of the grading tree;
  3. write access only to the directories the caller names (`writable`), a
     private /tmp of limited size and nothing else;
  4. no network (only its own loopback), its own PID, IPC and UTS namespaces;
  5. limits: memory and processes of the whole sandbox (a memory and a pids
     cgroup of its own when the grader is root and cgroup v1 is mounted;
     otherwise address space per process), processes of its uid, CPU time per
     process, size of any file it writes, wall time of the whole run, and
     output (read through a pipe; past the cap the run is stopped);
  6. an end: when the command exits, is stopped or the caller dies, every
     process of the sandbox goes with it (its PID namespace ends).

  run(argv, tree=..., writable=[...], limits=Limits(...)) -> Result
  available() -> "" or the reason the sandbox cannot run here
"""
import dataclasses
import itertools
import os
import select
import shutil
import signal
import subprocess
import time

BWRAP = "/usr/bin/bwrap"
SETPRIV = "/usr/bin/setpriv"
PRLIMIT = "/usr/bin/prlimit"
CGROUP_ROOT = "/sys/fs/cgroup"   # cgroup v1: memory/ and pids/ below it
INSIDE_UID = 65534               # "nobody" inside the sandbox
DEFAULT_OUTSIDE_UID = 61000      # grading slot 0; slot k uses 61000 + k
# The files of /etc that the toolchain (dynamic loader, Python, clang, GRUB,
# Bochs) reads; everything else of /etc stays out of sight.
ETC_FILES = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf",
             "localtime", "alternatives", "bochs-init", "grub.d", "default/grub", "mtools.conf",
             "xdg", "fonts", "python3", "python3.11"]


@dataclasses.dataclass
class Limits:
    """Resource limits of one sandboxed run."""
    wall: float = 600              # seconds for the whole run
    cpu: int = 600                 # CPU seconds per process
    memory: int = 4 << 30          # bytes of memory of the whole sandbox (Bochs with a 512 MB guest fits)
    # Without cgroups, `memory` becomes an address-space limit per process, unless this is
    # False: AddressSanitizer binaries reserve terabytes of address space and cannot run under one.
    address_space_fallback: bool = True
    processes: int = 256           # processes (and threads) of the sandbox, and of its uid
    file_size: int = 256 << 20     # bytes of any file written
    output: int = 2 << 20          # bytes of stdout+stderr kept; more stops the run
    tmp_size: int = 256 << 20      # bytes of the private /tmp


@dataclasses.dataclass
class Result:
    """How a sandboxed run ended."""
    code: int            # exit status (negative: killed by that signal)
    output: str          # stdout and stderr, at most limits.output bytes
    stopped: str = ""    # why the sandbox stopped it ("" if it ended by itself)
    seconds: float = 0.0

    @property
    def ok(self):
        return self.code == 0 and not self.stopped


def available():
    """'' when sandboxed runs work on this machine, else why not."""
    for tool, package in ((BWRAP, "bubblewrap"), (PRLIMIT, "util-linux"), (SETPRIV, "util-linux")):
        if not os.access(tool, os.X_OK):
            return f"{tool} is missing (Debian package {package})"
    probe = run(["/bin/true"], limits=Limits(wall=30))
    if not probe.ok:
        return f"bubblewrap does not start here: {probe.output.strip()[-300:] or probe.stopped}"
    return ""


def _system_binds():
    """bwrap arguments for a read-only system: /usr, its merged-/usr links, a few /etc files."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + top
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC_FILES:
        path = os.path.join("/etc", name)
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    if os.path.isdir("/var/lib/dpkg"):  # tools/setup.sh asks dpkg which packages are there
        args += ["--ro-bind", "/var/lib/dpkg", "/var/lib/dpkg"]
    return args


def command(argv, tree=None, writable=(), cwd=None, limits=None, uid=None, cgroups=()):
    """The full command line (cgroup entry + setpriv + bwrap + prlimit + argv) of a sandboxed run.
    Without cgroups, `limits.memory` becomes an address-space limit per process."""
    limits = limits or Limits()
    args = [BWRAP, "--unshare-all", "--unshare-user", "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID),
            "--disable-userns", "--die-with-parent", "--new-session",
            "--dev", "/dev", "--proc", "/proc", "--size", str(limits.tmp_size), "--tmpfs", "/tmp"]
    args += _system_binds()
    if tree:
        args += ["--ro-bind", tree, tree]
    for path in writable:
        args += ["--bind", path, path]
    args += ["--chdir", cwd or tree or "/tmp", "--",
             PRLIMIT, f"--nproc={limits.processes}", f"--cpu={limits.cpu}", f"--fsize={limits.file_size}",
             "--core=0"] + ([f"--as={limits.memory}"] if not cgroups and limits.address_space_fallback else []) \
        + ["--"]
    if os.geteuid() == 0:  # root grades as an unprivileged numeric uid, never as root
        outside = DEFAULT_OUTSIDE_UID if uid is None else uid
        args = [SETPRIV, f"--reuid={outside}", f"--regid={outside}", "--clear-groups", "--"] + args
    if cgroups:  # enter the cgroups first: everything the sandbox starts stays in them
        enter = " && ".join(f"echo $$ > {d}/cgroup.procs" for d in cgroups)
        args = ["/bin/sh", "-c", enter + ' && exec "$@"', "sandbox"] + args
    return args + list(argv)


_cgroup_serial = itertools.count()


def _cgroups(limits):
    """A memory and a pids cgroup (v1) of their own for one run, with the limits set; [] when
    the grader is not root or cgroup v1 is not there (then rlimits alone apply)."""
    if os.geteuid() != 0 or not os.path.isdir(os.path.join(CGROUP_ROOT, "memory")):
        return []
    name = f"vmkit-sandbox-{os.getpid()}-{next(_cgroup_serial)}"
    made = []
    try:
        for controller, settings in (("memory", {"memory.limit_in_bytes": limits.memory}),
                                     ("pids", {"pids.max": limits.processes})):
            path = os.path.join(CGROUP_ROOT, controller, name)
            os.mkdir(path)
            made.append(path)
            for key, value in settings.items():
                with open(os.path.join(path, key), "w") as f:
                    f.write(str(value))
    except OSError:
        _remove_cgroups(made)
        return []
    return made


def _remove_cgroups(paths):
    """Remove a run's cgroups (empty once the sandbox's PID namespace is gone)."""
    for path in paths:
        for _ in range(50):
            try:
                os.rmdir(path)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05)


def prepare_writable(path, uid=None):
    """Create `path` (empty) so that the sandbox's user can write it."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    if os.geteuid() == 0:
        os.chown(path, DEFAULT_OUTSIDE_UID if uid is None else uid, -1)


def hand_over(path, uid=None):
    """Let the sandbox's user write `path` and everything in it (created if missing)."""
    os.makedirs(path, exist_ok=True)
    if os.geteuid() != 0:
        return
    owner = DEFAULT_OUTSIDE_UID if uid is None else uid
    for top, dirs, files in os.walk(path):
        for name in [top] + [os.path.join(top, n) for n in dirs + files]:
            os.lchown(name, owner, -1)


def make_readable(path):
    """Let the sandbox's user read `path` and the directories above it (mkdtemp makes 0700)."""
    while path not in ("/", ""):
        mode = os.stat(path).st_mode
        os.chmod(path, mode | 0o055 if os.path.isdir(path) else mode | 0o044)
        path = os.path.dirname(path)


def environment(extra=None):
    """A clean environment: no variable of the grader leaks into the sandbox."""
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
           "SDL_VIDEODRIVER": "dummy",
           # no compiler cache: one sandbox's entries must never reach another's build
           "CCACHE": "", "CCACHE_DISABLE": "1"}
    env.update(extra or {})
    return env


def run(argv, tree=None, writable=(), cwd=None, limits=None, uid=None, env=None):
    """Run argv in a sandbox and wait for it (see the module's docstring); never raises for
    the command's own failures."""
    limits = limits or Limits()
    cgroups = _cgroups(limits)
    try:
        proc = subprocess.Popen(command(argv, tree, writable, cwd, limits, uid, cgroups), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment(env),
                                start_new_session=True)
        return collect(proc, limits.wall, limits.output)
    finally:
        _remove_cgroups(cgroups)


def run_capped(argv, cwd=None, wall=300, output=2 << 20, env=None):
    """Run argv without a sandbox but with the same wall-clock and output caps (its output is read
    through a pipe and never held beyond `output` bytes)."""
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, env=env)
    return collect(proc, wall, output)


def collect(proc, wall, cap):
    """Read proc's output until it ends, `wall` seconds pass or `cap` bytes came; then make sure
    its whole process group is gone. Returns a Result."""
    start = time.monotonic()
    kept, stopped = bytearray(), ""
    try:
        fd = proc.stdout.fileno()
        while True:
            left = wall - (time.monotonic() - start)
            if left <= 0:
                stopped = f"stopped after {wall:g} s (wall-clock limit)"
                break
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                if proc.poll() is not None:
                    break  # it ended; whatever still holds the pipe is a leftover
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            kept += chunk[:cap - len(kept)]
            if len(kept) >= cap:
                stopped = f"stopped: output over {cap} bytes"
                break
    finally:
        _kill(proc)  # the process group: leftovers of a command that ended go too
        proc.stdout.close()
        code = proc.wait()
    return Result(code, kept.decode(errors="replace"), stopped, time.monotonic() - start)


def _kill(proc):
    """SIGKILL the sandbox's process group; its PID namespace takes every process inside along."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
