"""What goes into a boot ISO (tools/mkiso).

The ISO is a lean GRUB: an El Torito core image (grub-mkimage) holding only
the CD and ISO 9660 drivers and an embedded config run by GRUB's rescue-mode
parser; it loads `multiboot` and what that needs from /boot/grub/i386-pc/,
never GRUB's normal mode, its menu or its command lists (about 12 M
instructions less per boot than a grub-mkrescue ISO with a grub.cfg). Under
/boot/:
  kernel.elf   the kernel without its symbols and debug sections (GRUB
               copies every byte it reads, a few instructions each; the
               debugger reads build/<flavour>/kernel.sym instead);
  programs     every user program in one archive module (see below): GRUB
               spends about 1 M instructions on each module it loads, so one
               module instead of 32 saves some 30 M instructions per boot;
               each program is packed to its loadable bytes (packed_elf);
  <name>       each extra file of $ISO_MODULES, a module of its own.

The command line reaches GRUB as one single-quoted word ('...', with each '
written as '\\''), so `}`, `;`, `$`, `"` or runs of spaces are text, not
config syntax. GRUB hands it to the kernel escaped (grub_create_loader_cmdline:
a backslash before each `\\`, `'` and `"`, and the word in double quotes when it
holds a space); the kernel undoes exactly that (os/kernel/cmdline.cpp).

Program archive (os/kernel/program_archive.h is the reader):
  0   "VMKITPRG"                  magic, 8 bytes
  8   u32 count                   number of entries
  12  u32 reserved (0)
  16  count x {char name[48]; u32 offset; u32 size}   names NUL-terminated
  ... the programs' bytes, each at a 16-byte aligned offset
"""

import glob
import os
import shutil
import struct
import subprocess
import tempfile

ARCHIVE_MAGIC = b"VMKITPRG"
ARCHIVE_NAME_MAX = 47          # bytes of a program name (plus its NUL)
ARCHIVE_ENTRY = struct.Struct("<48sII")
ARCHIVE_HEADER = struct.Struct("<8sII")
ARCHIVE_ALIGN = 16
ARCHIVE_MODULE = "programs"

CMDLINE_MAX = 4096             # bytes of command line the kernel keeps (cmdline.h)
GRUB_DIR = "/usr/lib/grub/i386-pc"


class BootImageError(Exception):
    """An archive or a command line that cannot be made, or a bad template."""


def user_programs(kernel):
    """The user programs that go with `kernel`: user/*.elf beside it, sorted."""
    return sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(kernel)), "user", "*.elf")))


def iso_modules(kernel):
    """[(source path, or None for the program archive; file under /boot; module
    name)] of the ISO for `kernel`: the archive, then each file of $ISO_MODULES."""
    found = [(None, ARCHIVE_MODULE, ARCHIVE_MODULE)] if user_programs(kernel) else []
    return found + [(path, os.path.basename(path), os.path.basename(path))
                    for path in os.environ.get("ISO_MODULES", "").split()]


def config_modules(kernel):
    """The (file, module name) pairs grub.cfg loads for `kernel`."""
    return [(name, module) for _, name, module in iso_modules(kernel)]


ELF_HEADER = struct.Struct("<16sHHIIIIIHHHHHH")
ELF_PHDR = struct.Struct("<IIIIIIII")
PT_LOAD = 1
PF_W = 2            # p_flags: writable
PAGE_SIZE = 4096


def packed_elf(data):
    """An ELF32 program with only what the kernel's loader reads: the header,
    the program headers and each PT_LOAD segment's file bytes, back to back
    (no section headers, symbols or page padding: a third of the size, and
    GRUB spends instructions on every byte). A writable segment's offset need
    not be congruent to its address modulo the page size (the loader copies
    it); a read-only segment's is, because lab 6 demand-loads it: its file
    pages are mapped straight from a pager that serves the program's bytes."""
    (ident, etype, machine, version, entry, phoff, _shoff, flags, ehsize, phentsize, phnum,
     _shentsize, _shnum, _shstrndx) = ELF_HEADER.unpack_from(data)
    if ident[:4] != b"\x7fELF" or phentsize != ELF_PHDR.size:
        raise BootImageError("not an ELF32 program")
    phdrs = [list(ELF_PHDR.unpack_from(data, phoff + i * phentsize)) for i in range(phnum)]
    body = bytearray()
    offset = ELF_HEADER.size + ELF_PHDR.size * phnum
    for ph in phdrs:
        ptype, p_offset, p_filesz = ph[0], ph[1], ph[4]
        if ptype != PT_LOAD or p_filesz == 0:
            ph[1] = 0 if ptype == PT_LOAD else ph[1]
            continue
        writable = ph[6] & PF_W
        offset += -offset % 4 if writable else (ph[2] - offset) % PAGE_SIZE
        body += b"\0" * (offset - ELF_HEADER.size - ELF_PHDR.size * phnum - len(body))
        body += data[p_offset:p_offset + p_filesz]
        ph[1] = offset
        offset += p_filesz
    header = ELF_HEADER.pack(ident, etype, machine, version, entry, ELF_HEADER.size, 0, flags,
                             ELF_HEADER.size, ELF_PHDR.size, phnum, 0, 0, 0)
    return header + b"".join(ELF_PHDR.pack(*ph) for ph in phdrs) + bytes(body)


def write_archive(programs, out_path):
    """Write the program archive: programs is [(name, path)], in order, each
    packed (packed_elf)."""
    entries, blobs = [], []
    offset = ARCHIVE_HEADER.size + ARCHIVE_ENTRY.size * len(programs)
    for name, path in programs:
        raw = name.encode()
        if not raw or len(raw) > ARCHIVE_NAME_MAX or b"\0" in raw or b" " in raw:
            raise BootImageError(f"program name {name!r}: 1 to {ARCHIVE_NAME_MAX} bytes, no space")
        with open(path, "rb") as f:
            data = packed_elf(f.read())
        offset += -offset % ARCHIVE_ALIGN
        entries.append(ARCHIVE_ENTRY.pack(raw, offset, len(data)))
        blobs.append((offset, data))
        offset += len(data)
    image = bytearray(offset)
    image[:ARCHIVE_HEADER.size] = ARCHIVE_HEADER.pack(ARCHIVE_MAGIC, len(programs), 0)
    table = b"".join(entries)
    image[ARCHIVE_HEADER.size:ARCHIVE_HEADER.size + len(table)] = table
    for at, data in blobs:
        image[at:at + len(data)] = data
    with open(out_path, "wb") as f:
        f.write(image)


def grub_word(word):
    """One grub.cfg word that GRUB reads back as exactly `word`."""
    return "'" + word.replace("'", "'\\''") + "'"


def check_cmdline(cmdline):
    """Refuse what no boot path can carry: NUL, newlines, more than CMDLINE_MAX bytes."""
    if any(c in cmdline for c in "\0\n\r"):
        raise BootImageError("the kernel command line cannot hold NUL or line breaks")
    if len(cmdline.encode()) > CMDLINE_MAX:
        raise BootImageError(f"kernel command line of {len(cmdline.encode())} bytes; "
                             f"at most {CMDLINE_MAX}")


def grub_config(cmdline, modules):
    """The embedded config: load multiboot, boot /boot/kernel.elf with
    `cmdline` (one word) and the modules [(file under /boot, module name)]."""
    check_cmdline(cmdline)
    lines = ["set root=(cd)", "set prefix=(cd)/boot/grub", "insmod multiboot",
             f"multiboot /boot/kernel.elf {grub_word(cmdline)}" if cmdline else "multiboot /boot/kernel.elf"]
    lines += [f"module /boot/{grub_word(f)} {grub_word(n)}" for f, n in modules]
    lines += ["boot", ""]
    return "\n".join(lines)


def grub_modules(root="multiboot", moddep=os.path.join(GRUB_DIR, "moddep.lst")):
    """`root` and every GRUB module it needs, from moddep.lst."""
    deps = {}
    with open(moddep) as f:
        for line in f:
            name, _, needs = line.partition(":")
            deps[name.strip()] = needs.split()
    found, todo = [], [root]
    while todo:
        name = todo.pop()
        if name not in found:
            found.append(name)
            todo += deps.get(name, [])
    return sorted(found)


def copy_stripped(kernel, out_path):
    """The kernel without symbols and debug sections, or a plain copy."""
    for tool in ("llvm-objcopy-14", "llvm-objcopy", "objcopy"):
        path = shutil.which(tool)
        if path and os.spawnv(os.P_WAIT, path, [tool, "--strip-all", kernel, out_path]) == 0:
            return out_path
    shutil.copyfile(kernel, out_path)
    return out_path


def _tool(argv):
    """Run a tool; BootImageError with its output when it fails."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise BootImageError(f"{argv[0]} failed ({proc.returncode}): {proc.stdout.strip()[-800:]}")


def stage(kernel, tree):
    """Write the ISO's files for `kernel` under `tree`: the kernel, the program
    archive, the extra modules and the GRUB modules `multiboot` needs."""
    boot = os.path.join(tree, "boot")
    os.makedirs(os.path.join(boot, "grub", "i386-pc"))
    copy_stripped(kernel, os.path.join(boot, "kernel.elf"))
    programs = user_programs(kernel)
    for source, name, _ in iso_modules(kernel):
        if source:
            shutil.copyfile(source, os.path.join(boot, name))
        else:
            write_archive([(os.path.basename(p)[:-len(".elf")], p) for p in programs],
                          os.path.join(boot, name))
    for module in grub_modules():
        shutil.copyfile(os.path.join(GRUB_DIR, module + ".mod"),
                        os.path.join(boot, "grub", "i386-pc", module + ".mod"))
    shutil.copyfile(os.path.join(GRUB_DIR, "moddep.lst"), os.path.join(boot, "grub", "i386-pc", "moddep.lst"))


def make_iso(tree, out_iso, cmdline, modules):
    """An ISO of the staged `tree` whose GRUB core image boots the kernel with
    `cmdline` and `modules` (config_modules). The tree is not changed: the
    run's core image is grafted in, so one tree serves many runs at once."""
    config = grub_config(cmdline, modules)
    with tempfile.TemporaryDirectory() as work:
        cfg, core = os.path.join(work, "embed.cfg"), os.path.join(work, "core.img")
        with open(cfg, "w") as f:
            f.write(config)
        _tool(["grub-mkimage", "-O", "i386-pc-eltorito", "-o", core, "-p", "/boot/grub", "-c", cfg,
               "iso9660", "biosdisk"])
        _tool(["xorriso", "-as", "mkisofs", "-quiet", "-R", "-b", "boot/grub/core.img", "-no-emul-boot",
               "-boot-load-size", "4", "-boot-info-table", "-o", out_iso + ".tmp", "-graft-points",
               f"/={tree}", f"/boot/grub/core.img={core}"])
    os.replace(out_iso + ".tmp", out_iso)
    return out_iso
