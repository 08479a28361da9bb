"""What goes into a boot ISO (tools/mkiso), and a run's command line.

An ISO holds, under /boot/:
  kernel.elf   the kernel without its debug sections (GRUB copies every byte
               it reads, a few instructions each; the debugger reads the
               symbols from build/<flavour>/kernel.sym instead);
  programs     every user program in one archive module (see below): GRUB
               spends about 1 M instructions on each module it loads, so one
               module instead of 32 saves some 30 M instructions per boot;
  <name>       each extra file of $ISO_MODULES, a module of its own;
  grub/grub.cfg  the config, with room for a command line of CMDLINE_MAX bytes.

The command line reaches GRUB quoted, word by word ('...' with every ' written
as '\\''), so `}`, `;`, `$` or `"` are text, not grub.cfg syntax. GRUB passes
the words on with `\\`, `'` and `"` escaped by a backslash (grub_create_loader_
cmdline); the kernel undoes exactly that (os/kernel/cmdline.cpp).

A run needs an ISO with its own command line (its token is new every run).
`with_cmdline()` copies a template ISO and rewrites grub.cfg inside the copy:
the file's bytes in place and its length in every directory record that
points at it (ISO 9660, Rock Ridge and Joliet trees alike), so GRUB reads the
new config and nothing of the padding. No grub-mkrescue per run.

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

ARCHIVE_MAGIC = b"VMKITPRG"
ARCHIVE_NAME_MAX = 47          # bytes of a program name (plus its NUL)
ARCHIVE_ENTRY = struct.Struct("<48sII")
ARCHIVE_HEADER = struct.Struct("<8sII")
ARCHIVE_ALIGN = 16
ARCHIVE_MODULE = "programs"

CMDLINE_MAX = 4096             # bytes of command line the kernel keeps (cmdline.h)
CFG_ROOM = 20 * 1024           # grub.cfg bytes reserved in a template ISO
SECTOR = 2048
PAD_MARK = b"\n# vmkit: room for a longer command line\n"


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


def write_archive(programs, out_path):
    """Write the program archive: programs is [(name, path)], in order."""
    entries, blobs = [], []
    offset = ARCHIVE_HEADER.size + ARCHIVE_ENTRY.size * len(programs)
    for name, path in programs:
        raw = name.encode()
        if not raw or len(raw) > ARCHIVE_NAME_MAX or b"\0" in raw or b" " in raw:
            raise BootImageError(f"program name {name!r}: 1 to {ARCHIVE_NAME_MAX} bytes, no space")
        with open(path, "rb") as f:
            data = f.read()
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
    """grub.cfg text: boot /boot/kernel.elf with `cmdline` and the modules
    [(file under /boot, module name)]. Splitting on single spaces keeps runs of
    spaces: an empty word '' becomes one more separator."""
    check_cmdline(cmdline)
    words = " ".join(grub_word(w) for w in cmdline.split(" ")) if cmdline else ""
    lines = ["set timeout=0", "set timeout_style=hidden", 'menuentry "vmkit" {',
             f"    multiboot /boot/kernel.elf {words}".rstrip()]
    lines += [f"    module /boot/{grub_word(f)} {grub_word(n)}" for f, n in modules]
    lines += ["    boot", "}", ""]
    return "\n".join(lines)


def padded_config(cmdline, modules):
    """The template's grub.cfg: the config, then a comment filling CFG_ROOM."""
    text = grub_config(cmdline, modules).encode() + PAD_MARK
    if len(text) > CFG_ROOM:
        raise BootImageError("grub.cfg larger than its room")
    return text + b"#" * (CFG_ROOM - len(text) - 1) + b"\n"


CONFIG_START = b'set timeout=0\nset timeout_style=hidden\nmenuentry "vmkit" {\n'


def _find_config(image):
    """Byte offset of grub.cfg in an ISO made by tools/mkiso: the sector
    that starts with the config's first lines."""
    at = image.find(CONFIG_START)
    while at >= 0 and at % SECTOR:
        at = image.find(CONFIG_START, at + 1)
    if at < 0:
        raise BootImageError("not an ISO made by tools/mkiso (no grub.cfg found)")
    return at


def _patch_lengths(image, lba, new_size):
    """Set the length of every directory record of the extent at `lba`.
    A record holds the extent's LBA at offset 2 and its length at offset 10,
    each little-endian then big-endian; the length fits the room."""
    key = struct.pack("<I", lba) + struct.pack(">I", lba)
    count, at = 0, image.find(key)
    while at >= 0:
        le, be = struct.unpack_from("<I", image, at + 8)[0], struct.unpack_from(">I", image, at + 12)[0]
        if le == be and le <= CFG_ROOM and at >= 2 and image[at - 2] >= 34:
            struct.pack_into("<I", image, at + 8, new_size)
            struct.pack_into(">I", image, at + 12, new_size)
            count += 1
        at = image.find(key, at + 1)
    if count == 0:
        raise BootImageError("no directory record for grub.cfg")
    return count


def with_cmdline(source, out_iso, cmdline, modules):
    """Copy `source` (an ISO made by tools/mkiso) to `out_iso` with grub.cfg
    rewritten for `cmdline`; `modules` must be the source's module list."""
    config = grub_config(cmdline, modules).encode()
    if len(config) > CFG_ROOM - len(PAD_MARK):
        raise BootImageError("grub.cfg larger than its room")
    with open(source, "rb") as f:
        image = bytearray(f.read())
    start = _find_config(image)
    image[start:start + CFG_ROOM] = config + b"\0" * (CFG_ROOM - len(config))
    _patch_lengths(image, start // SECTOR, len(config))
    tmp = f"{out_iso}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(image)
    os.replace(tmp, out_iso)
    return out_iso


def copy_stripped(kernel, out_path):
    """The kernel without debug sections (objcopy/strip), or a plain copy."""
    for tool in ("llvm-objcopy-14", "llvm-objcopy", "objcopy"):
        path = shutil.which(tool)
        if path and os.spawnv(os.P_WAIT, path, [tool, "--strip-debug", kernel, out_path]) == 0:
            return out_path
    shutil.copyfile(kernel, out_path)
    return out_path
