// pager_table.cpp: the framework's part of lab 6's request table
// (vm/pager.h): lookups, counting, the tag generator, verdict names.
// Compiled for host tests too.
#include "vm/pager.h"

namespace pager {

const char* describe(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Accepted: return "accepted";
    case Verdict::UnknownId: return "unknown id";
    case Verdict::NotReceived: return "not received";
    case Verdict::WrongKind: return "wrong kind";
    case Verdict::WrongStore: return "wrong store";
    case Verdict::WrongOffset: return "wrong offset";
    case Verdict::WrongSize: return "wrong size";
    case Verdict::WrongCount: return "wrong count";
    case Verdict::BadData: return "bad data";
    case Verdict::NoFrame: return "no frame";
    }
    return "?";
}

Request* RequestTable::find(uint32_t id)
{
    Request& r = m_slots[slot_of(id)];
    return id != kNoRequest && r.id == id ? &r : nullptr;
}

uint32_t RequestTable::in_flight(uint8_t store) const
{
    uint32_t n = 0;
    for (const Request& r : m_slots)
        if (r.in_use() && (store == 0 || r.store == store))
            ++n;
    return n;
}

uint32_t RequestTable::next_tag()
{
    // xorshift32 (Marsaglia): a full-period generator of nonzero words.
    for (;;) {
        m_random ^= m_random << 13;
        m_random ^= m_random >> 17;
        m_random ^= m_random << 5;
        uint32_t tag = m_random >> kSlotBits;
        if (tag != 0)
            return tag;
    }
}

} // namespace pager
