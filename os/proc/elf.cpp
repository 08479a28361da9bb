#include "proc/elf.h"

#include "arch/x86/layout.h"
#include "lib/string.h"

namespace {

struct __attribute__((packed)) Header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct __attribute__((packed)) ProgramHeader {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

constexpr uint32_t kLoad = 1;
constexpr uint32_t kFlagWrite = 2;


} // namespace

const char* elf_parse(const uint8_t* data, uint32_t size, ElfImage& out)
{
    if (size < sizeof(Header))
        return "shorter than an ELF header";
    Header h;
    memcpy(&h, data, sizeof h);
    if (memcmp(h.ident, "\x7f" "ELF", 4) != 0)
        return "not an ELF file";
    if (h.ident[4] != 1 || h.ident[5] != 1 || h.machine != 3 || h.type != 2)
        return "not a 32-bit little-endian i386 executable";
    if (h.phentsize != sizeof(ProgramHeader) || h.phoff > size || h.phnum > (size - h.phoff) / sizeof(ProgramHeader))
        return "program headers outside the file";
    out = ElfImage {};
    out.entry = h.entry;
    for (unsigned i = 0; i < h.phnum; ++i) {
        ProgramHeader ph;
        memcpy(&ph, data + h.phoff + i * sizeof ph, sizeof ph);
        if (ph.type != kLoad || ph.memsz == 0)
            continue;
        if (out.segment_count == ElfImage::kMaxSegments)
            return "too many loadable segments";
        if (ph.filesz > ph.memsz || ph.offset > size || ph.filesz > size - ph.offset)
            return "a segment's bytes are outside the file";
        if (!layout::is_user_range(ph.vaddr, ph.memsz))
            return "a segment is outside user space";
        out.segments[out.segment_count++] = ElfSegment { ph.vaddr, ph.memsz, ph.offset, ph.filesz,
            (ph.flags & kFlagWrite) != 0 };
    }
    if (out.segment_count == 0)
        return "no loadable segment";
    bool entry_inside = false;
    for (unsigned i = 0; i < out.segment_count; ++i)
        entry_inside |= out.entry - out.segments[i].vaddr < out.segments[i].memsz;
    return entry_inside ? nullptr : "the entry point is in no segment";
}
