"""The shim boot path: test runs without GRUB (tools/shim/shim.S).

Bochs starts from reset as usual, with two things GRUB would otherwise bring:
  optromimage1  the run's shim ROM at 0xD0000: the shim's code, its
                descriptor, and a blob holding the Multiboot information
                structure (command line with the run's token, module list,
                names) laid out for MBI_ADDR; the BIOS calls it during POST;
  ata1-master   the payload disk, a copy per run in the run's work directory:
                the kernel's loadable segments as GRUB places them (the bss as
                zeros), then each module page aligned right after the image,
                as GRUB places them (the program archive, then each
                $ISO_MODULES file). The shim reads it with PIO to its address.
The shim reads the BIOS memory map (INT 15h E820), fills the memory fields
and jumps to the kernel as GRUB does (EAX = 0x2BADB002, EBX = MBI_ADDR). The
kernel sees the same memory map, modules and command line as through GRUB
(selftest `shim-matches-grub`); the boot loader name says which path it was.
No CD is attached (ata0-master: none).

The payload is made once per build (cached by digest, like the ISO tree);
a run's ROM is a few KiB.
"""

import glob
import hashlib
import os
import shutil
import struct
import subprocess
import tempfile

from . import bootimage, elf, paths

SHIM_SOURCE = os.path.join(paths.REPO, "tools", "shim", "shim.S")
ROM_ADDR = 0xD0000              # an option ROM slot the BIOS scans (0xC8000-0xDFFFF)
ROM_MAX = 0x10000               # up to 0xE0000
MBI_ADDR = 0x1000               # the Multiboot info and everything it points at
MBI_MAX = 0x5000                # up to MMAP_ADDR
MMAP_ADDR = 0x6000              # the E820 entries (below 64 KiB: real-mode ES:DI)
MMAP_MAX_ENTRIES = 64           # 1,536 bytes, below the boot sector's 0x7C00
DESCRIPTOR_OFFSET = 16
DESCRIPTOR = struct.Struct("<8sIIIIIIII")
DESCRIPTOR_MAGIC = b"VMKITSHM"
LOADER_NAME = "vmkit test shim"
ATA_BASE = 0x1A0                # the payload disk's ports (shim.S ATA_BASE; control at +0x206):
                                # not a standard ATA channel, so the BIOS never probes it (a
                                # disk it probes costs 3.4 M instructions of BIOS waits)
PAGE = 4096
SECTOR = 512
CYLINDER = 16 * 63 * SECTOR     # the disk is whole cylinders: Bochs then logs no geometry error

MB_HAS_CMDLINE = 1 << 2
MB_HAS_MODULES = 1 << 3
MB_HAS_LOADER_NAME = 1 << 9
MB_INFO = struct.Struct("<" + "I" * 18)      # flags .. boot_loader_name (72 bytes)
MB_MODULE = struct.Struct("<IIII")


class ShimError(Exception):
    """The shim cannot be built, or the run's data does not fit its places."""


def _align(value, to):
    return value + (-value % to)


def _cache_dir(kernel):
    return os.path.join(os.path.dirname(os.path.abspath(kernel)), "runs", "shim")


def _write_atomic(path, data):
    tmp = f"{path}.{os.getpid()}.{id(data)}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def shim_code(cache_dir):
    """The assembled shim (bytes, linked at ROM_ADDR), built once per source."""
    with open(SHIM_SOURCE, "rb") as f:
        source = f.read()
    out = os.path.join(cache_dir, f"shim-{hashlib.sha256(source).hexdigest()[:16]}.bin")
    if not os.path.exists(out):
        os.makedirs(cache_dir, exist_ok=True)
        with tempfile.TemporaryDirectory() as work:
            obj, binary = os.path.join(work, "shim.o"), os.path.join(work, "shim.bin")
            for argv in (["clang", "--target=i686-unknown-none-elf", "-c", SHIM_SOURCE, "-o", obj],
                         ["ld.lld", "-m", "elf_i386", f"-Ttext=0x{ROM_ADDR:x}", "-e", "rom_start",
                          "--oformat", "binary", obj, "-o", binary]):
                proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if proc.returncode != 0:
                    raise ShimError(f"{argv[0]} failed: {proc.stdout.strip()[-600:]}")
            with open(binary, "rb") as f:
                _write_atomic(out, f.read())
    with open(out, "rb") as f:
        code = f.read()
    if code[:2] != b"\x55\xaa" or code[DESCRIPTOR_OFFSET:DESCRIPTOR_OFFSET + 8] != DESCRIPTOR_MAGIC:
        raise ShimError(f"{paths.rel(out)}: no option ROM header or descriptor")
    return code


MB_HEADER_MAGIC = 0x1BADB002
MB_HEADER_SEARCH = 8192         # the header lies in the image's first 8 KiB, 4-byte aligned
MB_HEADER_FLAGS_GIVEN = 0x3     # bit 0: modules page aligned, bit 1: memory information


def check_multiboot_header(data):
    """ShimError unless the kernel file has a Multiboot header asking only for
    what the shim gives (page-aligned modules, memory information; not a
    video mode or a.out load addresses: boot those with BOOT=grub)."""
    for at in range(0, min(len(data), MB_HEADER_SEARCH) - 11, 4):
        magic, flags, checksum = struct.unpack_from("<III", data, at)
        if magic == MB_HEADER_MAGIC and (magic + flags + checksum) & 0xFFFFFFFF == 0:
            if flags & 0xFFFF & ~MB_HEADER_FLAGS_GIVEN or flags & 0x10000:
                raise ShimError(f"the kernel's Multiboot header asks for flags 0x{flags:08x}; the shim "
                                f"gives only 0x{MB_HEADER_FLAGS_GIVEN:x} (boot it with BOOT=grub)")
            return
    raise ShimError("no Multiboot header in the kernel's first 8 KiB")


def kernel_image(kernel):
    """(load address, bytes, physical entry): the kernel's loadable segments
    as GRUB's ELF loader leaves them in memory, the bss as zeros."""
    image = elf.Elf(kernel)
    check_multiboot_header(image.data)
    segments = [s for s in image.segments if s.memsz]
    base = min(s.paddr for s in segments)
    end = max(s.paddr + s.memsz for s in segments)
    flat = bytearray(end - base)
    for s in segments:
        flat[s.paddr - base:s.paddr - base + s.filesz] = image.data[s.offset:s.offset + s.filesz]
    return base, bytes(flat), image.phys(image.entry)


def module_images(kernel):
    """[(module name, bytes)] in the order the ISO's grub.cfg loads them."""
    found = []
    with tempfile.TemporaryDirectory() as work:
        for source, _, name in bootimage.iso_modules(kernel):
            if source is None:
                archive = os.path.join(work, "programs")
                programs = bootimage.user_programs(kernel)
                bootimage.write_archive([(os.path.basename(p)[:-len(".elf")], p) for p in programs], archive)
                source = archive
            with open(source, "rb") as f:
                found.append((name, f.read()))
    return found


class Payload:
    """The build's payload disk: kernel then modules; file, load address,
    entry, modules, sectors."""

    def __init__(self, path, base, entry, modules, sectors):
        self.path = path
        self.sectors = sectors      # to read: the disk is padded to whole cylinders
        self.base = base
        self.entry = entry
        self.modules = modules      # [(start, end, name)]


def _digest(kernel):
    h = hashlib.sha256()
    for path in [kernel, __file__, bootimage.__file__] + bootimage.user_programs(kernel) \
            + os.environ.get("ISO_MODULES", "").split():
        h.update(os.path.basename(path).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def payload(kernel):
    """The payload of `kernel`'s build, made once (cached by digest)."""
    cache_dir = _cache_dir(kernel)
    key = _digest(kernel)
    path = os.path.join(cache_dir, f"payload-{key}.bin")
    base, flat, entry = kernel_image(kernel)
    data = bytearray(flat)
    modules = []
    for name, blob in module_images(kernel):
        start = base + _align(len(data), PAGE)
        data += b"\0" * (start - base - len(data)) + blob
        modules.append((start, start + len(blob), name))
    sectors = _align(len(data), SECTOR) // SECTOR
    data += b"\0" * (_align(len(data), CYLINDER) - len(data))
    if not os.path.exists(path):
        os.makedirs(cache_dir, exist_ok=True)
        _write_atomic(path, bytes(data))
        for old in glob.glob(os.path.join(cache_dir, "payload-*.bin")):
            if old != path:
                try:
                    os.unlink(old)
                except OSError:
                    pass
    return Payload(path, base, entry, modules, sectors)


def mbi_blob(cmdline, modules):
    """The Multiboot information structure for MBI_ADDR with the command
    line, the modules and the loader name; the shim adds the memory fields."""
    bootimage.check_cmdline(cmdline)
    mods_addr = MBI_ADDR + MB_INFO.size
    strings = bytearray()
    strings_addr = mods_addr + MB_MODULE.size * len(modules)

    def place(text):
        at = strings_addr + len(strings)
        strings.extend(text.encode() + b"\0")
        return at

    cmdline_addr = place(cmdline)
    loader_addr = place(LOADER_NAME)
    mods = b"".join(MB_MODULE.pack(start, end, place(name), 0) for start, end, name in modules)
    flags = MB_HAS_CMDLINE | MB_HAS_LOADER_NAME | (MB_HAS_MODULES if modules else 0)
    info = [0] * 18
    info[0], info[4], info[5], info[6], info[12], info[17] = (
        flags, cmdline_addr, len(modules), mods_addr if modules else 0, MMAP_ADDR, loader_addr)
    blob = MB_INFO.pack(*info) + mods + bytes(strings)
    blob += b"\0" * (-len(blob) % 4)
    if len(blob) > MBI_MAX:
        raise ShimError(f"Multiboot data of {len(blob)} bytes; the shim has room for {MBI_MAX}")
    return blob


def make_rom(code, image, blob):
    """The option ROM: code, descriptor, blob; size byte and checksum set."""
    blob_at = _align(len(code), 16)
    rom = bytearray(code + b"\0" * (blob_at - len(code)) + blob)
    rom += b"\0" * (_align(len(rom) + 1, 512) - len(rom))     # room for the checksum byte
    if len(rom) > ROM_MAX:
        raise ShimError(f"shim ROM of {len(rom)} bytes; at most {ROM_MAX}")
    rom[DESCRIPTOR_OFFSET:DESCRIPTOR_OFFSET + DESCRIPTOR.size] = DESCRIPTOR.pack(
        DESCRIPTOR_MAGIC, image.entry, MBI_ADDR, blob_at, len(blob), MMAP_ADDR, MMAP_MAX_ENTRIES,
        image.base, image.sectors)
    rom[2] = len(rom) // 512
    rom[-1] = -sum(rom[:-1]) % 256
    return bytes(rom)


class ShimImage:
    """What Bochs boots on the shim path: the run's ROM and payload disk."""

    boot = "shim"

    def __init__(self, rom, disk, payload_image):
        self.rom = os.path.abspath(rom)
        self.disk = os.path.abspath(disk)
        self.payload = payload_image
        self.path = self.disk       # Bochs locks it: bochs.py removes <path>.lock

    def prepare(self):
        """Copy the build's payload to this run's disk: every Bochs start of
        the run (a halt search too) reads the same bytes, and nothing a guest
        writes reaches the cache or another run."""
        shutil.copyfile(self.payload.path, self.disk)

    def bochs_lines(self):
        """bochsrc override lines: no CD, the ROM, the payload disk."""
        return [
            "ata0-master: type=none",
            f"optromimage1: file={self.rom}, address=0x{ROM_ADDR:x}",
            f"ata1: enabled=1, ioaddr1=0x{ATA_BASE:x}, ioaddr2=0x{ATA_BASE + 0x200:x}, irq=15",
            f"ata1-master: type=disk, path={self.disk}, mode=flat",
        ]


def build(kernel, out_rom, cmdline=""):
    """A ShimImage booting `kernel` with exactly `cmdline`: the ROM is written
    to out_rom, and a copy of the build's payload disk beside it."""
    if not os.path.exists(kernel):
        raise ShimError(f"{paths.rel(kernel)} not found (build it first: make)")
    try:
        image = payload(kernel)
        rom = make_rom(shim_code(_cache_dir(kernel)), image, mbi_blob(cmdline, image.modules))
        work = os.path.dirname(os.path.abspath(out_rom))
        os.makedirs(work, exist_ok=True)
        _write_atomic(out_rom, rom)
        medium = ShimImage(out_rom, os.path.join(work, "payload.img"), image)
        medium.prepare()
    except (bootimage.BootImageError, OSError, ValueError, KeyError) as e:
        raise ShimError(str(e))
    return medium
