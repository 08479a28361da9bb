// lab2_random.cpp: kernel test of lab 2 on the real MMU, random sequences
// of map, unmap, attach and dirty-bit steps over two address spaces, checked
// against a model (the host tests' model, smaller; see lab2_support.h).
#include "lab2_support.h"

using namespace lab2_test;

namespace {

// Page tables of a space: present entries in the user half of its directory.
uint32_t page_tables(const AddressSpace* space)
{
    auto* dir = static_cast<const PageDirectoryEntry*>(mmu::phys_to_virt(space->directory()));
    uint32_t n = 0;
    for (uint32_t i = 0; i < kKernelFirst; ++i)
        n += dir[i].is_present();
    return n;
}

// ---- random sequences against a model ----

constexpr uint32_t kSeqAddresses[] = {
    0x00001000, 0x00002000, 0x003ff000, // table 0
    0x00400000, 0x00401000,             // table 1
    0x08048000,                         // table 32
    0xbfffe000, 0xbffff000,             // table 767
};
constexpr unsigned kSeqSlots = sizeof kSeqAddresses / sizeof kSeqAddresses[0];
constexpr unsigned kSeqSpaces = 2;
constexpr unsigned kSeqVPages = 12;
constexpr unsigned kSeqSteps = 600;

struct SeqEntry {
    VPageRef vpage; // kNoVPage: nothing mapped
    bool writable;
    bool present;
    bool dirty; // the test set D, as the CPU would on a write
};

struct SeqVPage {
    VPageRef handle; // kNoVPage: a free model slot
    uint32_t frame;
    uint32_t pattern;
    bool dirty;
};

// Space 0 stays loaded in CR3 while the sequence runs (so that a missing
// invlpg shows up as a stale read); space 1 is loaded only to read it.
class Sequence {
public:
    explicit Sequence(FirstFailure& failed) : m_failed(failed) { }

    bool start()
    {
        for (AddressSpace*& s : m_spaces) {
            s = AddressSpace::create();
            if (!s || !kernel_half_copied(s)) {
                m_failed("AddressSpace::create() returned %s", s ? "a space without the kernel half"
                                                                  : "nullptr (lab 2 not implemented?)");
                return false;
            }
        }
        m_spaces[0]->activate();
        return true;
    }

    void run()
    {
        for (m_step = 1; m_step <= kSeqSteps && m_failed.ok(); ++m_step) {
            uint32_t dice = next() % 100;
            if (dice < 40)
                map();
            else if (dice < 70)
                unmap();
            else if (dice < 82)
                create();
            else if (dice < 87)
                attach();
            else if (dice < 95)
                set_dirty();
            else
                recycle(next() % kSeqSpaces);
            if (m_failed.ok())
                check_counts();
            if (m_failed.ok() && m_step % 20 == 0)
                read_everything();
        }
        if (m_failed.ok())
            read_everything();
    }

    // Back to the kernel directory, destroy everything, drop the vpages no
    // entry refers to.
    void finish()
    {
        back_to_kernel_directory();
        for (unsigned s = 0; s < kSeqSpaces; ++s)
            if (m_spaces[s])
                destroy(s);
        for (SeqVPage& vp : m_vpages) {
            drop_unmapped(vp.handle);
            vp.handle = kNoVPage;
        }
    }

private:
    uint32_t next()
    {
        m_random ^= m_random << 13;
        m_random ^= m_random >> 17;
        m_random ^= m_random << 5;
        return m_random;
    }

    SeqVPage* model(VPageRef v)
    {
        for (SeqVPage& vp : m_vpages)
            if (vp.handle == v)
                return &vp;
        return nullptr;
    }
    SeqVPage* random_vpage()
    {
        SeqVPage* live[kSeqVPages];
        unsigned n = 0;
        for (SeqVPage& vp : m_vpages)
            if (vp.handle)
                live[n++] = &vp;
        return n ? live[next() % n] : nullptr;
    }
    uint32_t model_refs(VPageRef v) const
    {
        uint32_t refs = 0;
        for (const auto& space : m_entries)
            for (const SeqEntry& e : space)
                refs += e.vpage == v;
        return refs;
    }

    void create()
    {
        SeqVPage* slot = model(kNoVPage);
        if (!slot)
            return;
        bool resident = next() % 2;
        uint32_t pattern = (next() & 0xffff0000) | 0x1000;
        VPageRef v = resident ? resident_vpage(pattern) : vpage_create(1, 0x1000);
        if (!v)
            return m_failed("step %u: no %s vpage could be made", m_step, resident ? "resident" : "non-resident");
        *slot = SeqVPage { v, frame_of(v), pattern, false };
    }

    void attach()
    {
        SeqVPage* vp = random_vpage();
        if (!vp || vp->frame)
            return;
        uint32_t frame = frames().allocate();
        if (frame == FrameArray::kNoFrame)
            return m_failed("step %u: out of frames", m_step);
        fill(frame, vp->pattern);
        vpage_attach(vp->handle, frame);
        vp->frame = frame;
    }

    void map()
    {
        SeqVPage* vp = random_vpage();
        if (!vp)
            return;
        unsigned s = next() % kSeqSpaces, i = next() % kSeqSlots;
        bool writable = next() % 2;
        SeqEntry& e = m_entries[s][i];
        MapResult r = m_spaces[s]->map(kSeqAddresses[i], vp->handle, writable ? Access::ReadWrite : Access::ReadOnly);
        MapResult expected = e.vpage ? MapResult::AlreadyMapped : MapResult::Ok;
        if (r != expected)
            return m_failed("step %u: map(0x%08x) in space %u returned %d, expected %d", m_step, kSeqAddresses[i], s,
                int(r), int(expected));
        if (!e.vpage)
            e = SeqEntry { vp->handle, writable, vp->frame != 0, false };
    }

    void unmap()
    {
        unsigned s = next() % kSeqSpaces, i = next() % kSeqSlots;
        SeqEntry gone = m_entries[s][i];
        bool r = m_spaces[s]->unmap(kSeqAddresses[i]);
        if (r != (gone.vpage != kNoVPage))
            return m_failed("step %u: unmap(0x%08x) in space %u returned %d", m_step, kSeqAddresses[i], s, r);
        m_entries[s][i] = SeqEntry {};
        if (gone.vpage)
            forget(gone);
    }

    void set_dirty()
    {
        unsigned s = next() % kSeqSpaces, i = next() % kSeqSlots;
        SeqEntry& e = m_entries[s][i];
        if (!e.present)
            return;
        PageTableEntry* pte = m_spaces[s]->entry(kSeqAddresses[i], false);
        if (!pte || !pte->is_present())
            return m_failed("step %u: no present entry for 0x%08x in space %u", m_step, kSeqAddresses[i], s);
        pte->set_dirty(true);
        e.dirty = true;
    }

    void recycle(unsigned s)
    {
        if (s == 0)
            back_to_kernel_directory();
        destroy(s);
        m_spaces[s] = AddressSpace::create();
        if (!m_spaces[s] || !kernel_half_copied(m_spaces[s]))
            return m_failed("step %u: AddressSpace::create() failed", m_step);
        if (s == 0)
            m_spaces[0]->activate();
    }

    void destroy(unsigned s)
    {
        m_spaces[s]->destroy();
        m_spaces[s] = nullptr;
        for (SeqEntry& e : m_entries[s]) {
            SeqEntry gone = e;
            e = SeqEntry {};
            if (gone.vpage)
                forget(gone);
        }
    }

    // An entry is gone: its D bit reaches the vpage; a vpage no entry refers
    // to any more is destroyed with its frame.
    void forget(const SeqEntry& gone)
    {
        SeqVPage* vp = model(gone.vpage);
        vp->dirty = vp->dirty || gone.dirty;
        if (model_refs(gone.vpage) == 0)
            *vp = SeqVPage {};
    }

    void check_counts()
    {
        uint32_t tables = 0, resident = 0, live = 0;
        for (unsigned s = 0; s < kSeqSpaces; ++s) {
            tables += page_tables(m_spaces[s]);
            for (unsigned i = 0; i < kSeqSlots; ++i) {
                const SeqEntry& e = m_entries[s][i];
                Lookup l = m_spaces[s]->lookup(kSeqAddresses[i]);
                Lookup::Kind kind = !e.vpage ? Lookup::Kind::Nothing
                    : e.present              ? Lookup::Kind::Present
                                             : Lookup::Kind::NotPresent;
                if (l.kind != kind || (e.vpage && (l.vpage != e.vpage || l.writable != e.writable)))
                    return m_failed("step %u: lookup(0x%08x) in space %u: kind %d vpage %u writable %d, expected %d %u %d",
                        m_step, kSeqAddresses[i], s, int(l.kind), l.vpage, l.writable, int(kind), e.vpage, e.writable);
            }
        }
        for (const SeqVPage& vp : m_vpages) {
            if (!vp.handle)
                continue;
            ++live;
            if (!vpages().is_live(vp.handle))
                return m_failed("step %u: vpage %u was destroyed too early", m_step, vp.handle);
            const VPage* real = vpages().get(vp.handle);
            if (real->refs != model_refs(vp.handle) || real->frame != vp.frame || real->is_dirty() != vp.dirty)
                return m_failed("step %u: vpage %u has refs %u frame 0x%08x dirty %d, expected %u 0x%08x %d", m_step,
                    vp.handle, real->refs, real->frame, real->is_dirty(), model_refs(vp.handle), vp.frame, vp.dirty);
            if (!vp.frame)
                continue;
            ++resident;
            uint32_t present = 0;
            for (const auto& space : m_entries)
                for (const SeqEntry& e : space)
                    present += e.vpage == vp.handle && e.present;
            if (map_count_of(vp.frame) != present || owner_of(vp.frame) != vp.handle)
                return m_failed("step %u: frame 0x%08x has map count %u owner %u, expected %u and %u", m_step,
                    vp.frame, map_count_of(vp.frame), owner_of(vp.frame), present, vp.handle);
        }
        uint32_t expected_free = m_frames_free - resident - kSeqSpaces - tables;
        if (vpages().in_use() != m_vpages_in_use + live || frames().frames_free() != expected_free)
            return m_failed("step %u: vpages in use %u, frames free %u; expected %u and %u", m_step,
                vpages().in_use(), frames().frames_free(), m_vpages_in_use + live, expected_free);
    }

    // Every present mapping of every space reads its vpage's data through
    // the MMU (space 0 as it is, with whatever the TLB holds).
    void read_everything()
    {
        for (unsigned s = 0; s < kSeqSpaces && m_failed.ok(); ++s) {
            if (s != 0)
                m_spaces[s]->activate();
            for (unsigned i = 0; i < kSeqSlots; ++i) {
                const SeqEntry& e = m_entries[s][i];
                if (!e.present)
                    continue;
                const SeqVPage* vp = model(e.vpage);
                uint32_t seen = 0;
                if (walk(m_spaces[s]->directory(), kSeqAddresses[i]).frame != vp->frame)
                    m_failed("step %u: the MMU does not find 0x%08x of space %u on frame 0x%08x", m_step,
                        kSeqAddresses[i], s, vp->frame);
                else if (!reads_pattern(kSeqAddresses[i], vp->pattern, &seen))
                    m_failed("step %u: 0x%08x in space %u reads 0x%08x, expected 0x%08x (stale TLB entry?)", m_step,
                        kSeqAddresses[i], s, seen, vp->pattern);
            }
            if (s != 0)
                m_spaces[0]->activate();
        }
    }

    FirstFailure& m_failed;
    uint32_t m_random = 0x2545f491;
    unsigned m_step = 0;
    uint32_t m_frames_free = frames().frames_free(); // before the spaces
    uint32_t m_vpages_in_use = vpages().in_use();
    AddressSpace* m_spaces[kSeqSpaces] = {};
    SeqEntry m_entries[kSeqSpaces][kSeqSlots] = {};
    SeqVPage m_vpages[kSeqVPages] = {};
};

} // namespace

// Random map, unmap, attach and dirty-bit steps over two spaces, the counts
// checked against the model after every step and the data read through the
// MMU every 20 steps.
KTEST(lab2_random_sequence)
{
    if (!frame_array_built())
        return;
    dirty_free_frames();
    Counts before = Counts::now();
    FirstFailure failed;
    Sequence sequence(failed);
    if (sequence.start())
        sequence.run();
    sequence.finish();
    ktest::value("steps", kSeqSteps);
    failed.report("sequence-counts-and-data");
    check_counts_back(before);
}
