#include "kernel/program_archive.h"

#include "lib/string.h"

namespace program_archive {

bool is_archive(const uint8_t* data, uint32_t size)
{
    return size >= sizeof(Header) && memcmp(data, "VMKITPRG", 8) == 0;
}

uint32_t count(const uint8_t* data) { return reinterpret_cast<const Header*>(data)->count; }

const Entry& entry(const uint8_t* data, uint32_t i)
{
    return reinterpret_cast<const Entry*>(data + sizeof(Header))[i];
}

const char* entry_problem(const uint8_t* data, uint32_t size, uint32_t i)
{
    const auto* header = reinterpret_cast<const Header*>(data);
    uint64_t table_end = sizeof(Header) + uint64_t(header->count) * sizeof(Entry);
    if (table_end > size)
        return "the entry table runs past the archive";
    const Entry& e = entry(data, i);
    size_t length = 0;
    while (length < kNameBytes && e.name[length])
        ++length;
    if (length == 0 || length == kNameBytes)
        return "no name of 1 to 47 bytes";
    if (e.offset < table_end || uint64_t(e.offset) + e.size > size)
        return "its bytes lie outside the archive";
    return nullptr;
}

} // namespace program_archive
