"""The words the `vm` commands print for raw bits: page-table entries, vpage
flags and stores, fault error codes, FaultResult values."""

import os
import re

from harness import paths

# Page-table entry bits (os/arch/x86/paging.h, Intel SDM vol. 3A, Table 4-6).
PRESENT, WRITABLE, USER, ACCESSED, DIRTY, LARGE = 1, 2, 4, 0x20, 0x40, 0x80
FRAME_MASK = 0xFFFFF000

# VPage::flags (os/vm/vpage.h).
VPAGE_FLAGS = ((1 << 0, "dirty"), (1 << 1, "copy-on-write"), (1 << 2, "shared"))

# Page-fault error code bits (os/arch/x86/page_fault.h).
ERR_PROTECTION, ERR_WRITE, ERR_USER = 1, 2, 4


def present_entry(entry):
    """`present writable user accessed dirty`, with `not` before what is off."""
    names = ((WRITABLE, "writable", "read-only"), (USER, "user", "kernel-only"),
             (ACCESSED, "accessed", "not accessed"), (DIRTY, "dirty", "clean"))
    return "present, " + ", ".join(on if entry & bit else off for bit, on, off in names)


def vpage_flags(flags):
    """`dirty|copy-on-write`, or `none`; unknown bits as hex."""
    words = [name for bit, name in VPAGE_FLAGS if flags & bit]
    rest = flags & ~sum(bit for bit, _ in VPAGE_FLAGS)
    if rest:
        words.append(f"0x{rest:02x}")
    return "|".join(words) or "none"


def store(number):
    """Store 0 is anonymous memory (os/vm/store.h)."""
    return "0 (anonymous: zero-filled on first touch)" if number == 0 else f"{number}"


def fault_cause(error_code):
    """`user write of a not-present page` from a page-fault error code."""
    who = "user" if error_code & ERR_USER else "kernel"
    what = "write" if error_code & ERR_WRITE else "read"
    why = "a present page (protection)" if error_code & ERR_PROTECTION else "a not-present page"
    return f"{who} {what} of {why}"


_RESULTS = None


def fault_results():
    """vm::FaultResult's names by value, read from os/vm/fault.h (the enum
    counts from 0 in declaration order)."""
    global _RESULTS
    if _RESULTS is None:
        try:
            with open(os.path.join(paths.REPO, "os", "vm", "fault.h")) as f:
                text = f.read()
            body = re.search(r"enum class FaultResult[^{]*\{(.*?)\};", text, re.S).group(1)
            body = re.sub(r"//[^\n]*", "", body)
            _RESULTS = [name.strip() for name in body.split(",") if name.strip()]
        except (OSError, AttributeError):
            _RESULTS = []
    return _RESULTS


def fault_result(value):
    """`ZeroFilled (1)`, or the bare number when fault.h does not say."""
    names = fault_results()
    return f"{names[value]} ({value})" if value < len(names) else f"{value} (not a FaultResult)"


def number(text, what="address"):
    """An int from `0x...`, decimal, or `0x` hex with `_`; ValueError with a message."""
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        raise ValueError(f"`{text}` is not a number ({what}: 0x... or decimal)") from None


class NotThere(Exception):
    """The kernel has no such data yet: the message says what is missing."""


def label(p):
    """`pid 3 (name)`, or the name of a space that is no process's."""
    return f"pid {p.pid} ({p.name})" if p.pid else p.name


def plural(n, word, many=None):
    """`1 vpage`, `2 vpages`."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def problem(text):
    """An inconsistency line."""
    return f"  !! {text}"
