"""Kernel symbol files: `ADDRESS NAME` lines (nm output), as Bochs reads them.

    symbols.py KERNEL.elf OUT.sym     (what the Makefile runs)

Names are demangled and cut before their parameters, so that `lb "vm::handle_fault"`
works in the debugger. File-local names lose their `(anonymous namespace)::`
(`g_top`, `sys_getpid`), and entities local to a function (lambdas, local
statics: `process::init()::$_0`) are left out: cut, they would look like
their function.
"""

import os
import subprocess
import sys


def load(path):
    """{name: address} from a symbol file; None for a name that stands for
    several addresses (overloads, equal file-local names in two files)."""
    table = {}
    with open(path) as f:
        for line in f:
            parts = line.split(None, 1)
            if len(parts) == 2:
                try:
                    address = int(parts[0], 16)
                except ValueError:
                    continue
                name = parts[1].strip()
                table[name] = address if table.get(name, address) == address else None
    return table


def make(elf_path, out_path):
    """Write the symbol file for `elf_path` with `nm` (see the top of this file)."""
    proc = subprocess.run(["nm", "-C", "--defined-only", elf_path], stdout=subprocess.PIPE,
                          text=True, check=True)
    with open(out_path, "w") as f:
        for line in proc.stdout.splitlines():
            parts = line.split(None, 2)
            if len(parts) != 3 or parts[1] not in "tTdDbBrR":
                continue
            full = parts[2].replace("(anonymous namespace)::", "")
            name = full.split("(", 1)[0]
            if ")::" not in full and " " not in name:
                f.write(f"{parts[0]} {name}\n")
    return out_path


def for_kernel(elf_path, fallback_dir):
    """kernel.sym next to the ELF when it is there and fresh, else one made now."""
    beside = os.path.join(os.path.dirname(elf_path), "kernel.sym")
    if os.path.exists(beside) and os.path.getmtime(beside) >= os.path.getmtime(elf_path):
        return beside
    os.makedirs(fallback_dir, exist_ok=True)
    return make(elf_path, os.path.join(fallback_dir, "kernel.sym"))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    make(sys.argv[1], sys.argv[2])
