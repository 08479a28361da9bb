"""Just enough ELF32 reading: loadable segments and the bytes at an address."""

import struct
from dataclasses import dataclass


@dataclass
class Segment:
    """One PT_LOAD program header."""
    offset: int
    vaddr: int
    paddr: int
    filesz: int
    memsz: int


class Elf:
    """An ELF32 little-endian executable (the kernel)."""

    PT_LOAD = 1

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        if self.data[:4] != b"\x7fELF" or self.data[4] != 1:
            raise ValueError(f"{path}: not an ELF32 file")
        self.entry, phoff = struct.unpack_from("<II", self.data, 24)
        phentsize, phnum = struct.unpack_from("<HH", self.data, 42)
        self.segments = []
        for i in range(phnum):
            fields = struct.unpack_from("<IIIIII", self.data, phoff + i * phentsize)
            if fields[0] == self.PT_LOAD:
                self.segments.append(Segment(*fields[1:6]))

    def segment_of(self, vaddr):
        """The loadable segment holding virtual address `vaddr`, or None."""
        return next((s for s in self.segments if s.vaddr <= vaddr < s.vaddr + s.memsz), None)

    def phys(self, vaddr):
        """Physical (load) address of `vaddr`."""
        seg = self.segment_of(vaddr)
        if seg is None:
            raise KeyError(f"0x{vaddr:08x} is in no loadable segment")
        return seg.paddr + (vaddr - seg.vaddr)

    def file_bytes(self, vaddr, n):
        """The n bytes the file holds for `vaddr` (fewer past the file part)."""
        seg = self.segment_of(vaddr)
        if seg is None:
            raise KeyError(f"0x{vaddr:08x} is in no loadable segment")
        start = vaddr - seg.vaddr
        n = max(0, min(n, seg.filesz - start))
        return self.data[seg.offset + start: seg.offset + start + n]
