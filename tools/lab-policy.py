#!/usr/bin/python3
"""lab-policy.py: lab code may only use what its lab allows.

Lab code is freestanding kernel code: it has no business calling exit,
write, fopen or system, reading the kernel command line, writing to a port
or powering the machine off. For lab N this checks, in the tree it runs in:

  1. includes: every `#include` of labs/labN/*.cpp names a header of the
     lab's allow-list (labs/manifest.json, "policy" of the lab plus
     "policy_common"), and every file the kernel build read for it (its .d
     file) is a framework header under os/;
  2. symbols: every external symbol the lab's compiled objects use, in the
     kernel build (build/kobj/labs/labN/) and in the host build
     (build/host/obj/plain/labs/labN/), is allowed, or defined by the
     lab's own files ("Class::*" allows every member of a class);
  3. sections: no global constructors or destructors (.init_array, .ctors,
     ...), no kernel-test registrations; only code, data and debug sections;
  4. instructions: no port I/O, software interrupts, system calls, halts or
     control-register writes in the lab's own machine code (inline asm would
     otherwise bypass the symbol check).

  lab-policy.py --lab N [--flavour labN]   check; one line per violation,
                                           exit status 1 if there is any
  lab-policy.py --lab N --objects          the objects to build first
  lab-policy.py --derive N [--flavour F]   the external symbols lab N's
                                           objects use (to start an allow-list)

A violation reads like "lab 3 code (fault.cpp) calls cmdline::get, which
lab code may not use". `make grade` runs this check, and a lab that fails
it scores 0.
"""
import argparse
import fnmatch
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import labs  # noqa: E402

# Sections a lab object may have (fnmatch patterns); anything else is refused.
ALLOWED_SECTIONS = [".text", ".text.*", ".rodata", ".rodata.*", ".data", ".data.*", ".bss", ".bss.*",
                    ".debug_*", ".rel.*", ".rela.*", ".comment", ".note.GNU-stack", ".llvm_addrsig",
                    ".eh_frame", ".group", ".symtab", ".strtab", ".shstrtab", ".text.unlikely.*"]
EMPTY_OK = {".linker-options"}  # clang emits it empty; with content it would steer the linker
SECTION_REASONS = {".init_array": "a global constructor", ".ctors": "a global constructor",
                   ".preinit_array": "a global constructor", ".fini_array": "a global destructor",
                   ".dtors": "a global destructor", "ktests": "a kernel-test registration"}
# Machine instructions lab code never needs: port I/O, interrupts and system
# calls, halting, descriptor tables, model-specific registers.
FORBIDDEN_INSNS = {"in", "inb", "inw", "inl", "out", "outb", "outw", "outl", "ins", "insb", "insw", "insl",
                   "outs", "outsb", "outsw", "outsl", "int", "int3", "into", "syscall", "sysenter",
                   "sysexit", "sysret", "iret", "iretl", "iretq", "hlt", "cli", "sti", "lgdt", "lidt",
                   "lldt", "ltr", "lgdtl", "lidtl", "wrmsr", "rdmsr", "lmsw", "clts", "invd", "wbinvd"}
PREFIXES = {"lock", "rep", "repz", "repe", "repnz", "repne", "cs", "ds", "ss", "es", "fs", "gs",
            "data16", "data32", "addr16", "addr32", "notrack"}
INCLUDE = re.compile(r'^[ \t]*#[ \t]*(include|include_next|import)\b(.*)$', re.M)


def lab_entry(n):
    lab = next((l for l in labs.student_labs() if l["lab"] == n), None)
    if lab is None:
        sys.exit(f"lab-policy.py: no lab {n} with student code in labs/manifest.json")
    return lab


def allowed(lab):
    """(includes, symbols) lab code of `lab` may use: the common list plus the lab's own."""
    common = labs.manifest().get("policy_common", {})
    own = lab.get("policy", {})
    return (set(common.get("includes", [])) | set(own.get("includes", [])),
            list(common.get("symbols", [])) + list(own.get("symbols", [])))


def kernel_object(flavour, n, source):
    """The kernel object of a lab file (build/kobj: the same for every flavour, as for the host)."""
    return os.path.join(ROOT, "build", "kobj", "labs", f"lab{n}", source + ".o")


def host_object(flavour, n, source):
    """The host object of a lab file (the same for every flavour: it is compiled from labs/)."""
    return os.path.join(ROOT, "build", "host", "obj", "plain", "labs", f"lab{n}", source + ".o")


def tool(argv):
    """Output of a binutils tool (nm, readelf, objdump) on a lab object."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {p.stderr.strip()}")
    return p.stdout


def bare_name(demangled):
    """A demangled name without its parameter list: 'AddressSpace::entry(unsigned int, bool)' ->
    'AddressSpace::entry' (the '(' at template depth 0 starts the list)."""
    depth = 0
    for i, c in enumerate(demangled):
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif c == "(" and depth == 0 and i > 0 and not demangled.startswith("operator", i - 8):
            return demangled[:i]
    return demangled


def symbols(obj, which):
    """Demangled bare names of the `which` ('--undefined-only' or '--defined-only') symbols of obj."""
    names = set()
    for line in tool(["nm", "-C", which, obj]).splitlines():
        parts = line.split(None, 2) if which == "--defined-only" else line.split(None, 1)
        name = parts[-1] if parts else ""
        if name and not name.startswith("."):
            names.add(bare_name(name.strip()))
    return names


def is_allowed(name, patterns):
    return any(name == p or (p.endswith("::*") and name.startswith(p[:-1])) for p in patterns)


def check_includes(lab, path, includes):
    """Violations of the include rule in one lab source file (its text)."""
    source = os.path.basename(path)
    text = open(path, errors="replace").read().replace("\\\n", "")
    found = []
    for m in INCLUDE.finditer(text):
        target = re.match(r'\s*[<"]([^>"]+)[>"]', m.group(2))
        if m.group(1) != "include" or not target:
            found.append(f"lab {lab['lab']} code ({source}) has '#{m.group(1)}{m.group(2).rstrip()}': "
                         f"lab code may include only headers it names literally")
        elif target.group(1) not in includes:
            found.append(f"lab {lab['lab']} code ({source}) includes {target.group(1)}, "
                         f"which lab code may not include")
    return found


def check_dependencies(lab, dep_file):
    """Violations in the kernel build's .d file: it read something besides framework headers."""
    if not os.path.exists(dep_file):
        return []
    words = open(dep_file).read().replace("\\\n", " ").split(":", 1)[-1].split()
    source = os.path.basename(dep_file)[:-2]
    outside = [w for w in words if not w.endswith(":") and w != f"labs/lab{lab['lab']}/{source}"
               and not (w.startswith("os/") and ".." not in w.split("/"))]
    return [f"lab {lab['lab']} code ({source}) reads {w}, which is not a framework header" for w in outside]


def check_object(lab, obj, patterns, own_symbols, build):
    """Violations of the symbol, section and instruction rules in one compiled lab object."""
    source, n, found = os.path.basename(obj)[:-2], lab["lab"], []
    calls = {bare_name(n_) for n_ in call_targets(obj)}
    for name in sorted(symbols(obj, "--undefined-only")):
        if not is_allowed(name, patterns) and name not in own_symbols:
            verb = "calls" if name in calls else "uses"
            found.append(f"lab {n} code ({source}, {build} build) {verb} {name}, which lab code may not use")
    for section in sections(obj):
        if section in SECTION_REASONS:
            found.append(f"lab {n} code ({source}, {build} build) has {SECTION_REASONS[section]} "
                         f"(section {section}), which lab code may not have")
        elif not any(fnmatch.fnmatchcase(section, p) for p in ALLOWED_SECTIONS):
            found.append(f"lab {n} code ({source}, {build} build) puts something in section {section}, "
                         f"which lab code may not use")
    for insn in sorted(forbidden_instructions(obj)):
        found.append(f"lab {n} code ({source}, {build} build) executes '{insn}', "
                     f"an instruction lab code may not use")
    return found


def call_targets(obj):
    """Demangled names that relocations of call instructions point at."""
    out = tool(["readelf", "-rW", "-C", obj])
    return {m.group(1) for m in re.finditer(r"R_(?:386_PC32|386_PLT32|X86_64_PLT32)\s+\S+\s+(.+?)(?:\s+[+-]\s*\w+)?$",
                                             out, re.M)}


def sections(obj):
    """Names of the object's sections; empty ones of the kinds clang always emits are left out."""
    out = tool(["readelf", "-SW", obj])
    found = []
    for m in re.finditer(r"^\s*\[\s*[1-9]\d*\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", out, re.M):
        if not (m.group(1) in EMPTY_OK and int(m.group(2), 16) == 0):
            found.append(m.group(1))
    return found


def forbidden_instructions(obj):
    """Forbidden mnemonics (and control/debug-register moves) in the object's code."""
    found = set()
    for line in tool(["objdump", "-d", "--no-show-raw-insn", obj]).splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not re.match(r"^\s*[0-9a-f]+:$", parts[0]):
            continue
        words = parts[1].split()
        while words and words[0] in PREFIXES:
            words = words[1:]
        if not words:
            continue
        if words[0] in FORBIDDEN_INSNS or (words[0].startswith("mov") and re.search(r"%[cd]r\d", parts[1])):
            found.add(" ".join(words))
    return found


def check(n, flavour, host=True):
    """Every violation of lab n's code in this tree (empty: the lab follows the policy)."""
    lab = lab_entry(n)
    includes, patterns = allowed(lab)
    found = []
    for source in lab["sources"]:
        path = os.path.join(ROOT, "labs", f"lab{n}", source)
        if os.path.islink(path) or not os.path.isfile(path):
            found.append(f"lab {n} code ({source}) is not a regular file")
            continue
        found += check_includes(lab, path, includes)
        found += check_dependencies(lab, kernel_object(flavour, n, source)[:-2] + ".d")
    builds = [("kernel", kernel_object)] + ([("host", host_object)] if host else [])
    for build, where in builds:
        objects = [where(flavour, n, s) for s in lab["sources"] if s.endswith(".cpp")]
        present = [o for o in objects if os.path.exists(o)]
        own = set().union(*[symbols(o, "--defined-only") for o in present]) if present else set()
        for obj in present:
            found += check_object(lab, obj, patterns, own, build)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", type=int)
    ap.add_argument("--flavour")
    ap.add_argument("--objects", action="store_true", help="print the objects the check reads (to build first)")
    ap.add_argument("--no-host", action="store_true", help="check the kernel build only")
    ap.add_argument("--derive", type=int, metavar="N", help="print the external symbols of lab N's objects")
    args = ap.parse_args()
    n = args.derive if args.derive is not None else args.lab
    if n is None:
        ap.error("--lab N or --derive N")
    lab = lab_entry(n)
    flavour = args.flavour or f"lab{n}"
    cpp = [s for s in lab["sources"] if s.endswith(".cpp")]
    if args.objects:
        print(" ".join(os.path.relpath(where(flavour, n, s), ROOT) for s in cpp for where in (kernel_object, host_object)))
        return
    if args.derive is not None:
        own = set().union(*[symbols(kernel_object(flavour, n, s), "--defined-only") for s in cpp])
        used = set().union(*[symbols(where(flavour, n, s), "--undefined-only")
                             for s in cpp for where in (kernel_object, host_object)
                             if os.path.exists(where(flavour, n, s))])
        print("\n".join(sorted(used - own)))
        return
    found = check(n, flavour, host=not args.no_host)
    for line in found:
        print(line)
    if not found:
        print(f"lab {n}: the lab code uses only what lab {n} allows")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
