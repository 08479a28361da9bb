"""Kernel symbol files: `ADDRESS NAME` lines (nm output), as Bochs reads them."""

import os
import subprocess


def load(path):
    """{name: address} from a symbol file."""
    table = {}
    with open(path) as f:
        for line in f:
            parts = line.split(None, 1)
            if len(parts) == 2:
                try:
                    table.setdefault(parts[1].strip(), int(parts[0], 16))
                except ValueError:
                    continue
    return table


def make(elf_path, out_path):
    """Write a symbol file for `elf_path` with `nm` (when the build made none):
    like the Makefile's, C++ names demangled and cut before their parameters."""
    proc = subprocess.run(["nm", "-C", "--defined-only", elf_path], stdout=subprocess.PIPE,
                          text=True, check=True)
    with open(out_path, "w") as f:
        for line in proc.stdout.splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[1] in "tTdDbBrR":
                name = parts[2].split("(", 1)[0]
                if " " not in name:
                    f.write(f"{parts[0]} {name}\n")
    return out_path


def for_kernel(elf_path, fallback_dir):
    """kernel.sym next to the ELF when it is there and fresh, else one made now."""
    beside = os.path.join(os.path.dirname(elf_path), "kernel.sym")
    if os.path.exists(beside) and os.path.getmtime(beside) >= os.path.getmtime(elf_path):
        return beside
    os.makedirs(fallback_dir, exist_ok=True)
    return make(elf_path, os.path.join(fallback_dir, "kernel.sym"))
