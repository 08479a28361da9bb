#include "syscall.h"

namespace {
uint32_t word(const void* pointer) { return uint32_t(uintptr_t(pointer)); }
}

// crt0.S calls this with main's return value (a C name it can spell).
extern "C" [[noreturn]] void exit_from_main(int status) { sys::exit(status); }

namespace sys {

void exit(int status)
{
    syscall(kSysExit, uint32_t(status));
    for (;;) // exit does not return; if it ever did, never run on
        syscall(kSysExit, uint32_t(status));
}

int write(const void* buffer, size_t length) { return syscall(kSysWrite, word(buffer), length); }
int getpid() { return syscall(kSysGetpid); }
int yield() { return syscall(kSysYield); }
int sleep(uint32_t ticks) { return syscall(kSysSleep, ticks); }
int spawn(const char* program, const char* args) { return syscall(kSysSpawn, word(program), word(args)); }
int wait(int pid, int* status) { return syscall(kSysWait, uint32_t(pid), word(status)); }
int fork() { return syscall(kSysFork); }

void* mmap(void* address, size_t length, uint32_t flags)
{
    return reinterpret_cast<void*>(uintptr_t(uint32_t(syscall(kSysMmap, word(address), length, flags))));
}

int munmap(void* address, size_t length) { return syscall(kSysMunmap, word(address), length); }
int vmstat(VmStat* stat) { return syscall(kSysVmstat, word(stat)); }
int port_create() { return syscall(kSysPortCreate); }
int port_close(int port) { return syscall(kSysPortClose, uint32_t(port)); }
int ipc_send(int port, Message* message) { return syscall(kSysIpcSend, uint32_t(port), word(message)); }
int ipc_recv(int port, Message* message) { return syscall(kSysIpcRecv, uint32_t(port), word(message)); }
int ipc_call(int port, Message* message) { return syscall(kSysIpcCall, uint32_t(port), word(message)); }
int ipc_reply(Message* message) { return syscall(kSysIpcReply, word(message)); }
int pager_register() { return syscall(kSysPagerRegister); }
int pager_receive(PagerRequest* request, void* buffer, uint32_t timeout_ticks)
{
    return syscall(kSysPagerReceive, word(request), word(buffer), timeout_ticks);
}
int pager_reply(const PagerReply* reply) { return syscall(kSysPagerReply, word(reply)); }
int pager_reply_receive(const PagerReply* reply, PagerRequest* request, void* buffer, uint32_t timeout_ticks,
    uint32_t slot)
{
    return syscall(kSysPagerReplyReceive, word(reply), word(request), word(buffer), timeout_ticks, slot);
}
int spawn_from_store(const char* program, const char* args, uint32_t store)
{
    return syscall(kSysSpawnFromStore, word(program), word(args), store);
}
int pager_disk(uint32_t op, uint32_t slot, void* buffer)
{
    return syscall(kSysPagerDisk, op, slot, word(buffer));
}
int module_read(const char* name, uint32_t offset, void* buffer, uint32_t length)
{
    return syscall(kSysModuleRead, word(name), offset, word(buffer), length);
}
void* map_store(void* address, size_t length, uint32_t flags, uint32_t store, uint32_t offset)
{
    return reinterpret_cast<void*>(
        uintptr_t(uint32_t(syscall(kSysMapStore, word(address), length, flags, store, offset))));
}

} // namespace sys
