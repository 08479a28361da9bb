#include "proc/process.h"

#include "arch/mmu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/kernel_memory.h"
#include "kernel/ktest.h"
#include "lib/new.h"
#include "lib/string.h"
#include "lib/verify.h"
#include "proc/abi.h"
#include "proc/elf.h"
#include "proc/ipc.h"
#include "proc/user_memory.h"
#include "proc/user_space.h"
#include "vm/address_space.h"
#include "vm/copy_on_write.h"
#include "vm/fault_entry.h"
#include "vm/pager_store.h"
#include "vm/resolve.h"
#include "vm/store.h"
#include "vm/frame_array.h"
#include "vm/vpage.h"

const BootInfo& boot_info();

namespace {

Process* g_top;    // most recently run
Process* g_bottom; // least recently run
uint32_t g_live;
uint32_t g_next_pid = 1;

// Exit statuses of processes without a parent (spawned by the kernel), for
// the kernel's program runner.
struct OrphanExit {
    uint32_t pid;
    int32_t status;
};
OrphanExit g_orphan_exits[16];
unsigned g_orphan_next;

void unlink(Process* p)
{
    (p->newer ? p->newer->older : g_top) = p->older;
    (p->older ? p->older->newer : g_bottom) = p->newer;
    p->newer = p->older = nullptr;
}

void push_top(Process* p)
{
    p->newer = nullptr;
    p->older = g_top;
    (g_top ? g_top->newer : g_bottom) = p;
    g_top = p;
}

void on_switch(Thread* next)
{
    if (next->process)
        process::touch(next->process);
}

const BootModule* find_module(const char* name)
{
    const BootInfo& info = boot_info();
    for (unsigned i = 0; i < info.module_count; ++i)
        if (strcmp(info.modules[i].name, name) == 0)
            return &info.modules[i];
    return nullptr;
}

// Map one resident, zero-filled page at `linear`, for what the kernel writes
// before the program runs (the program image, the top of the stack).
// Returns the frame, or 0.
uint32_t map_new_page(AddressSpace* space, uint32_t linear, bool writable)
{
    VPageRef v = vpage_create(0, 0);
    if (v == kNoVPage)
        return 0;
    uint32_t frame = frames().allocate();
    if (frame == FrameArray::kNoFrame) {
        vpages().destroy(v);
        return 0;
    }
    memset(mmu::phys_to_virt(frame), 0, paging::kPageSize);
    // The kernel fills it (program image, stack top) through the direct map,
    // so no hardware dirty bit will say so: the page is not the zero page
    // its anonymous vpage stands for, and the clock collector (lab 5) must
    // write it out rather than drop it.
    vpages().get(v)->flags |= VPage::kDirty;
    vpage_attach(v, frame);
    if (space->map(linear, v, writable ? Access::ReadWrite : Access::ReadOnly) != MapResult::Ok) {
        vpage_ref(v);
        vpage_unref(v); // destroys it and frees the frame
        return 0;
    }
    return frame;
}

// Load the ELF image into the process's space (its pages taken in its free
// ranges). Returns nullptr or why not.
// Lab 6's demand loading: with a pager `store` that serves this file, a page
// of a read-only segment that holds file bytes only, at a page boundary of
// the file, is not copied: it is mapped from the store (vpage: store, file
// page), and its first touch pages it in.
const char* load(Process* process, const uint8_t* file, uint32_t size, uint32_t* entry, uint8_t store = 0)
{
    AddressSpace* space = process->space;
    ElfImage image;
    if (const char* why = elf_parse(file, size, image))
        return why;
    for (unsigned s = 0; s < image.segment_count; ++s) {
        const ElfSegment& seg = image.segments[s];
        if (user_space::take(process, seg.vaddr, seg.memsz) != 0)
            return "out of memory (address ranges)";
        uint32_t first = paging::page_round_down(seg.vaddr);
        for (uint32_t page = first; page < seg.vaddr + seg.memsz; page += paging::kPageSize) {
            uint32_t in_file = seg.offset + (page - seg.vaddr);
            if (store && !seg.writable && page >= seg.vaddr && page + paging::kPageSize <= seg.vaddr + seg.filesz
                && paging::is_page_aligned(in_file) && space->lookup(page).kind == Lookup::Kind::Nothing) {
                if (!pager::map_file_page(space, page, store, in_file / paging::kPageSize, false))
                    return "out of memory";
                continue;
            }
            Lookup existing = space->lookup(page);
            uint32_t frame = existing.kind == Lookup::Kind::Present ? existing.frame
                                                                   : map_new_page(space, page, seg.writable);
            if (!frame)
                return "out of memory";
            // Copy the part of the file that falls in this page.
            uint32_t lo = page > seg.vaddr ? page : seg.vaddr;
            uint32_t hi = page + paging::kPageSize;
            if (hi > seg.vaddr + seg.filesz)
                hi = seg.vaddr + seg.filesz;
            if (lo < hi)
                memcpy(static_cast<uint8_t*>(mmu::phys_to_virt(frame)) + (lo - page),
                    file + seg.offset + (lo - seg.vaddr), hi - lo);
        }
    }
    *entry = image.entry;
    return nullptr;
}

// Map a demand-zero page at `linear`: an anonymous vpage with no frame in a
// not-present entry. Its first touch faults, and lab 3 gives it a zeroed frame.
bool map_anonymous(AddressSpace* space, uint32_t linear, bool writable, bool shared)
{
    VPageRef v = vpage_create(vm::kAnonymous, 0);
    if (v == kNoVPage)
        return false;
    if (shared)
        vpages().get(v)->flags |= VPage::kShared;
    if (space->map(linear, v, writable ? Access::ReadWrite : Access::ReadOnly) != MapResult::Ok) {
        vpages().destroy(v); // never referenced
        return false;
    }
    return true;
}

// The user stack, kStackPages pages below kStackTop, with the argument
// string and a pointer to it on top: [esp] = pointer to the string. The top
// page is written now; the others are demand-zero, and the page below them
// is left empty: the guard page. Returns the initial esp, or 0.
uint32_t make_stack(AddressSpace* space, const char* args)
{
    if (!map_new_page(space, process::kStackTop - paging::kPageSize, true))
        return 0;
    for (uint32_t i = 2; i <= process::kStackPages; ++i)
        if (!map_anonymous(space, process::kStackTop - i * paging::kPageSize, true, false))
            return 0;
    Lookup top = space->lookup(process::kStackTop - paging::kPageSize);
    auto* page = static_cast<uint8_t*>(mmu::phys_to_virt(top.frame));
    uint32_t len = uint32_t(strlen(args));
    if (len > 1024)
        len = 1024;
    uint32_t string_at = paging::kPageSize - 16 - ((len + 4) & ~3u);
    memcpy(page + string_at, args, len);
    page[string_at + len] = '\0';
    uint32_t sp_at = string_at - 8;
    uint32_t string_linear = process::kStackTop - paging::kPageSize + string_at;
    memcpy(page + sp_at, &string_linear, 4);
    return process::kStackTop - paging::kPageSize + sp_at;
}

void destroy_space(Process* p)
{
    if (!p->space)
        return;
    if (mmu::current_directory() == p->space->directory())
        mmu::switch_directory(kernel_memory::kernel_directory());
    p->space->destroy();
    p->space = nullptr;
}

void free_process(Process* p)
{
    unlink(p);
    --g_live;
    p->~Process(); // gives back its free ranges' array
    kfree(p);
}

// A new process with an empty address space, not yet on the recency list.
// nullptr (and *why) if there is no memory for it.
Process* new_process(const char* name, Process* parent, const char** why)
{
    void* memory = kmalloc(sizeof(Process));
    if (!memory)
        return *why = "out of memory", nullptr;
    Process* p = new (memory) Process;
    size_t n = 0;
    for (; name[n] && n + 1 < sizeof p->name; ++n)
        p->name[n] = name[n];
    p->parent = parent;
    p->space = AddressSpace::create();
    if (!p->space || !user_space::init(p)) {
        if (p->space)
            p->space->destroy();
        p->~Process();
        kfree(p);
        return *why = "out of memory (address space)", nullptr;
    }
    p->pid = g_next_pid++;
    *why = nullptr;
    return p;
}

// Put a new process on the recency list and give it its thread, unless
// *why says its setup failed; then (or if there is no thread) it is undone.
template <typename MakeThread>
Process* start(Process* p, const char** why, MakeThread make_thread)
{
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    push_top(p);
    ++g_live;
    if (!*why && !(p->thread = make_thread()))
        *why = "out of memory (thread)";
    if (*why) {
        destroy_space(p);
        free_process(p);
        p = nullptr;
    }
    if (was)
        cpu::sti();
    return p;
}

// The page-fault hook: a user fault is resolved in the current process's
// address space (lab 3 through vm::resolve); what it cannot resolve kills
// the process. Kernel-mode faults are kernel bugs: Unhandled, a panic.
vm::FaultResult on_page_fault(const PageFault& fault, TrapFrame& frame)
{
    Process* p = process::current();
    if (!p || !p->space || fault.is_kernel())
        return vm::FaultResult::Unhandled;
    vm::FaultResult result = vm::resolve(*p->space, fault);
    if (result == vm::FaultResult::BadUnmapped && paging::page_round_down(fault.address()) == process::kStackGuard)
        process::kill_current(fault.address(), frame.eip, "stack overflow (guard page)", kKillStackOverflow);
    return result;
}

} // namespace

namespace process {

void init()
{
    sched::set_switch_hook(on_switch);
    trap::set_user_fault_handler(
        [](const TrapFrame& frame, uint32_t address, const char* why) {
            kill_current(address, frame.eip, why, frame.vector == 14 ? kKillBadAccess : kKillException);
        });
    vm::set_fault_handler(on_page_fault);
}

Process* spawn(const char* program, const char* args, Process* parent, const char** why)
{
    return spawn_from_store(program, args, parent, 0, why);
}

Process* spawn_from_store(const char* program, const char* args, Process* parent, uint8_t store, const char** why)
{
    const BootModule* module = find_module(program);
    if (!module)
        return *why = "no such program", nullptr;
    Process* p = new_process(program, parent, why);
    if (!p)
        return nullptr;
    uint32_t entry = 0, esp = 0;
    *why = load(p, static_cast<const uint8_t*>(mmu::phys_to_virt(module->start)),
        module->end - module->start, &entry, store);
    if (!*why && !(esp = make_stack(p->space, args ? args : "")))
        *why = "out of memory (stack)";
    return start(p, why, [&] { return sched::create_user_thread(p, entry, esp); });
}

bool copy_spawn_strings(SpawnStrings& out, uint32_t user_program, uint32_t user_args)
{
    if (!user_memory::copy_string(out.program, user_program, sizeof out.program))
        return false;
    if (user_args == 0)
        out.args[0] = '\0';
    else if (!user_memory::copy_string(out.args, user_args, sizeof out.args))
        return false;
    return true;
}

int32_t spawn_error(const char* why) { return strcmp(why, "no such program") == 0 ? kErrNotFound : kErrNoMemory; }

Process* fork(const TrapFrame& registers, const char** why)
{
    Process* parent = current();
    VERIFY(parent && parent->space);
    Process* child = new_process(parent->name, parent, why);
    if (!child)
        return nullptr;
    if (!child->free_ranges.copy_from(parent->free_ranges))
        *why = "out of memory (address ranges)";
    else if (!vm::fork_space(*parent->space, *child->space))
        *why = "out of memory (page tables)";
    TrapFrame child_registers = registers;
    child_registers.eax = 0; // fork() returns 0 in the child
    return start(child, why, [&] { return sched::create_user_thread(child, child_registers); });
}

Process* current()
{
    Thread* t = sched::current();
    return t ? t->process : nullptr;
}

Process* find(uint32_t pid)
{
    for (Process* p = g_top; p; p = p->older)
        if (p->pid == pid)
            return p;
    return nullptr;
}

// The end of a process, with its wait status as abi.h defines it.
[[noreturn]] void end_current(int32_t status)
{
    Process* p = current();
    VERIFY(p);
    cpu::cli();
    ipc::release_ports(p);
    pager::process_exited(p); // lab 6: a pager's requests in flight end with kErrPagerDied
    destroy_space(p);
    p->free_ranges.clear();
    p->exit_status = status;
    p->state = Process::State::Zombie;
    p->thread = nullptr;
    // Orphans: children of p lose their parent; zombie orphans go at once.
    for (Process* c = g_top; c;) {
        Process* older = c->older;
        if (c->parent == p) {
            c->parent = nullptr;
            if (c->state == Process::State::Zombie)
                free_process(c);
        }
        c = older;
    }
    if (p->parent) {
        p->parent->child_exited.wake_all();
    } else {
        g_orphan_exits[g_orphan_next++ % 16] = OrphanExit { p->pid, status };
        free_process(p);
    }
    sched::exit_current();
}

void exit(int32_t status) { end_current(exit_status(status)); }

void kill_current(uint32_t address, uint32_t eip, const char* why, KillReason reason)
{
    Process* p = current();
    VERIFY(p);
    kprintf("process %u (%s) killed: %s at 0x%08x, eip 0x%08x\n", p->pid, p->name, why, address, eip);
    // The same for the test harness (its `kills` expect rule).
    ktest::tagged("KILL pid=%u name=%s address=0x%08x eip=0x%08x reason=%s\n", p->pid, p->name, address, eip, why);
    end_current(kill_status(reason));
}

int32_t wait(int32_t pid, int32_t* status)
{
    Process* me = current();
    VERIFY(me);
    bool was = cpu::interrupts_enabled();
    cpu::cli();
    int32_t result = kErrNoChild;
    for (;;) {
        bool have_child = false;
        Process* zombie = nullptr;
        for (Process* c = g_top; c; c = c->older) {
            if (c->parent != me || (pid != -1 && c->pid != uint32_t(pid)))
                continue;
            have_child = true;
            if (c->state == Process::State::Zombie)
                zombie = c;
        }
        if (zombie) {
            result = int32_t(zombie->pid);
            *status = zombie->exit_status;
            free_process(zombie);
            break;
        }
        if (!have_child)
            break;
        me->child_exited.sleep();
    }
    if (was)
        cpu::sti();
    return result;
}

void touch(Process* p)
{
    if (g_top == p)
        return;
    unlink(p);
    push_top(p);
}

bool map_zero_page(Process* p, uint32_t linear, bool writable, bool shared)
{
    return map_anonymous(p->space, linear, writable, shared);
}

bool orphan_status(uint32_t pid, int32_t* status)
{
    for (const OrphanExit& e : g_orphan_exits)
        if (e.pid == pid) {
            *status = e.status;
            return true;
        }
    return false;
}

Process* most_recent() { return g_top; }
Process* least_recent() { return g_bottom; }
uint32_t live_count() { return g_live; }

} // namespace process
