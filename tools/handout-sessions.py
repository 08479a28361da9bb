#!/usr/bin/python3
"""handout-sessions.py: replay the `make debug` sessions of the handouts'
debugger exercises on the reference kernel, and list every transcript line
the kernel no longer prints.

    tools/handout-sessions.py [--save DIR] [HANDOUT...]
                                        (default: handouts/lab[0-6]-*.md)

In each handout's section "## 5. Debugger exercise" (lab 0: "## 4. A page
fault, in the debugger", up to the comment END_MARKER), the `make debug ...
KCMD='...'` line gives the kernel command line (and its MEGS=, SWAP=,
BOOT=, UNTIL= words the machine) and the `<bochs:N> command` lines give
the commands (in the order of N, each N once). They are piped into
`tools/bochs-run debug`; every other line of the section's code blocks
(not `...`, not a shell command, not the host output after a `$ ` line)
must appear in the new transcript, prompt numbers aside. Exit status 1 if
one does not: after a kernel change that moves frames or addresses,
recapture the transcripts it names (--save DIR keeps each replay's whole
transcript as DIR/<handout>.txt to copy from).
"""

import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import junit  # noqa: E402
# The section with the debugger session: lab 0's tour has it in section 4.
END_MARKER = "<!-- handout-sessions: the replayed session ends here -->"
SECTION_RE = re.compile(r"^## \d+\. (Debugger exercise|A page fault, in the debugger)", re.M)
COMMAND_RE = re.compile(r"^<bochs:(\d+)> ?(.*)$")
PROMPT_RE = re.compile(r"<bochs:\d+>")
KCMD_RE = re.compile(r"make debug .*KCMD='([^']*)'")
MAKE_DEBUG_RE = re.compile(r"^make debug .*$", re.M)
MACHINE_RE = re.compile(r"\b(MEGS|SWAP|BOOT|UNTIL)=(\S+)")
MACHINE_FLAGS = {"MEGS": "--megs", "SWAP": "--swap", "BOOT": "--boot", "UNTIL": "--until"}
SKIP_RE = re.compile(r"^\s*(\.\.\.|make[ :]|printf |\$ |\+\d|offset )")
RECAPTURE = ("the kernel moved what these lines show: recapture the sessions named "
             "(tools/handout-sessions.py --save DIR HANDOUT keeps each new transcript as DIR/<handout>.txt)")


def section(path):
    """The debugger exercise's text (to the next `## ` heading)."""
    text = open(path).read()
    heading = SECTION_RE.search(text)
    if not heading:
        return ""
    start = heading.start()
    end = text.find("\n## ", heading.end())
    marker = text.find(END_MARKER, heading.end())  # a section may go on past its session (lab 0)
    if marker > 0 and (end < 0 or marker < end):
        end = marker
    return text[start:end if end > 0 else len(text)]


def machine(text):
    """bochs-run options for the MEGS=, SWAP=, BOOT=, UNTIL= words of the `make debug` line."""
    line = MAKE_DEBUG_RE.search(text)
    words = MACHINE_RE.findall(KCMD_RE.sub("", line.group(0))) if line else []
    return [a for name, value in words for a in (MACHINE_FLAGS[name], value)]


def session(text):
    """(kernel command line, machine options, commands in prompt order, expected lines)."""
    kcmd = KCMD_RE.search(text)
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    commands, expected = {}, []
    for block in blocks:
        for line in (l.rstrip() for l in block.splitlines()):
            if line.startswith("$ "):
                break  # a host command: the rest of the block is its output, not the debugger's
            m = COMMAND_RE.match(line)
            if m:
                commands.setdefault(int(m.group(1)), m.group(2))
            if line.strip() and not SKIP_RE.match(line) and not line.startswith(" " * 10):
                expected.append(line)
    return (kcmd.group(1) if kcmd else None, machine(text), [commands[n] for n in sorted(commands)],
            expected)


def replay(kcmd, options, commands):
    """The transcript of the commands (then `q`) in a fresh `make debug`."""
    feed = "".join(c + "\n" for c in commands) + "q\n"
    kernel = os.path.join(ROOT, "build", "reference", "kernel.elf")
    run = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bochs-run"), "debug", "--kernel", kernel,
                          "--cmdline", kcmd, *options, "--workdir", os.path.join(ROOT, "build", "reference",
                                                                                 "runs", "handout-sessions")],
                         input=feed, capture_output=True, text=True, timeout=300, cwd=ROOT)
    return run.stdout


def check(path, save=None):
    """Lines of `path`'s transcripts that the replay did not print."""
    kcmd, options, commands, expected = session(section(path))
    if kcmd is None or not commands:
        return [f"{path}: no `make debug ... KCMD=` line or no commands in its debugger exercise"]
    transcript = replay(kcmd, options, commands)
    if save:
        os.makedirs(save, exist_ok=True)
        with open(os.path.join(save, os.path.basename(path).replace(".md", ".txt")), "w") as out:
            out.write(transcript)
    printed = PROMPT_RE.sub("<bochs>", transcript)
    # A line cut short with " ..." (the rest left out of the handout) must
    # be printed as far as it goes.
    return [f"{os.path.relpath(path, ROOT)}: no longer printed: {line}" for line in expected
            if PROMPT_RE.sub("<bochs>", line.removesuffix(" ...")) not in printed]


def main(argv):
    """Check each handout; exit 1 if any transcript line changed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--save", metavar="DIR", help="keep each replay's whole transcript as DIR/<handout>.txt")
    ap.add_argument("--junit", metavar="FILE", help="also write one JUnit case per handout (make test-debugger)")
    ap.add_argument("handouts", nargs="*", metavar="HANDOUT", help="default: handouts/lab[0-6]-*.md")
    args = ap.parse_args(argv[1:])
    missing_files = [p for p in args.handouts if not os.path.isfile(p)]
    if missing_files:
        ap.error("no such handout: " + ", ".join(missing_files))
    paths = args.handouts or sorted(glob.glob(os.path.join(ROOT, "handouts", "lab[0-6]-*.md")))
    made = subprocess.run(["make", "--no-print-directory", "all"], cwd=ROOT, capture_output=True, text=True)
    if made.returncode:
        print(made.stdout[-2000:] + made.stderr[-2000:])
        return 2
    cases = []
    for path in paths:
        missing = check(path, args.save)
        name = os.path.basename(path).removesuffix(".md")
        if missing:
            print("\n".join(missing))
        message = "\n".join(missing + [RECAPTURE]) if missing else ""
        cases.append(("handout-sessions", name, not missing, message))
    if args.junit:
        junit.write(args.junit, "handout-sessions", cases)
    if all(ok for _, _, ok, _ in cases):
        print(f"{len(paths)} handout sessions replayed: every transcript line is printed as shown")
        return 0
    print(RECAPTURE)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
