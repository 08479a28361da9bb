// The ELF loader's parser refuses every malformed or hostile file.
#include "proc/elf.h"

#include <cstring>
#include <vector>

#include <CppUTest/TestHarness.h>

namespace {

// A minimal valid executable: one header, one PT_LOAD at 0x400000.
std::vector<uint8_t> tiny_elf(uint32_t vaddr = 0x400000, uint32_t filesz = 16, uint32_t memsz = 32,
    uint32_t entry = 0x400000)
{
    std::vector<uint8_t> f(0x1000 + filesz, 0);
    const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
    std::memcpy(f.data(), ident, 16);
    auto put16 = [&](size_t at, uint16_t v) { std::memcpy(&f[at], &v, 2); };
    auto put32 = [&](size_t at, uint32_t v) { std::memcpy(&f[at], &v, 4); };
    put16(16, 2);        // ET_EXEC
    put16(18, 3);        // EM_386
    put32(20, 1);        // version
    put32(24, entry);
    put32(28, 52);       // phoff
    put16(42, 32);       // phentsize
    put16(44, 1);        // phnum
    put32(52 + 0, 1);    // PT_LOAD
    put32(52 + 4, 0x1000); // offset
    put32(52 + 8, vaddr);
    put32(52 + 16, filesz);
    put32(52 + 20, memsz);
    put32(52 + 24, 5);   // R X
    return f;
}

} // namespace

TEST_GROUP(Elf) {};

TEST(Elf, AValidExecutableGivesItsEntryAndSegment)
{
    auto f = tiny_elf();
    ElfImage image;
    CHECK(elf_parse(f.data(), uint32_t(f.size()), image) == nullptr);
    UNSIGNED_LONGS_EQUAL(0x400000, image.entry);
    UNSIGNED_LONGS_EQUAL(1, image.segment_count);
    UNSIGNED_LONGS_EQUAL(32, image.segments[0].memsz);
    CHECK_FALSE(image.segments[0].writable);
}

TEST(Elf, MalformedFilesAreRefusedWithAReason)
{
    struct Case {
        const char* what;
        std::vector<uint8_t> file;
    };
    std::vector<Case> cases = {
        { "truncated header", std::vector<uint8_t>(20, 0) },
        { "segment in the kernel half", tiny_elf(0xC0000000) },
        { "segment crossing into the kernel half", tiny_elf(0xBFFFF000, 16, 0x2000, 0xBFFFF000) },
        { "segment in the NULL page", tiny_elf(0x0, 16, 32, 0x0) },
        { "file bytes beyond the file", tiny_elf(0x400000, 16, 32) },
        { "filesz above memsz", tiny_elf(0x400000, 64, 32) },
        { "entry outside every segment", tiny_elf(0x400000, 16, 32, 0x500000) },
    };
    cases[4].file.resize(0x1000 + 8); // cut the segment's bytes
    cases[0].file[0] = 0x7f;
    for (auto& c : cases) {
        ElfImage image;
        const char* why = elf_parse(c.file.data(), uint32_t(c.file.size()), image);
        CHECK_TEXT(why != nullptr, c.what);
    }
}

TEST(Elf, NotAnElfFileIsRefused)
{
    auto f = tiny_elf();
    f[1] = 'X';
    ElfImage image;
    STRCMP_EQUAL("not an ELF file", elf_parse(f.data(), uint32_t(f.size()), image));
}

// Issue 11, item 4: the range check must not wrap around 4 GiB. A segment
// that starts inside the kernel half (not only at its first byte), or whose
// end wraps past 4 GiB, is refused as outside user space, not waved through
// to fail later as "out of memory".
TEST(Elf, KernelHalfSegmentsAnywhereAreOutsideUserSpace)
{
    const uint32_t starts[] = { 0xC0000000, 0xC0100000, 0xE0000000, 0xFFFFF000 };
    for (uint32_t start : starts) {
        auto f = tiny_elf(start, 16, 0x1000, start);
        ElfImage image;
        const char* why = elf_parse(f.data(), uint32_t(f.size()), image);
        CHECK_TEXT(why != nullptr, "a kernel-half segment was accepted");
        STRCMP_EQUAL("a segment is outside user space", why);
    }
    auto wrap = tiny_elf(0xBFFFF000, 16, 0x40001000, 0xBFFFF000); // end wraps past 4 GiB
    ElfImage image;
    STRCMP_EQUAL("a segment is outside user space", elf_parse(wrap.data(), uint32_t(wrap.size()), image));
}
