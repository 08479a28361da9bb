// crt0.S: where every user program starts.
//
// The kernel enters _start in user mode with
//   [esp] = pointer to the NUL-terminated argument string (in user memory).
// _start calls `int main(const char* args)` and ends the process with main's
// return value as its exit status. It never returns.

    .text
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp          // the end of the frame-pointer chain
    mov (%esp), %eax        // the argument string
    and $-16, %esp          // the i386 ABI's 16-byte alignment at each call
    sub $12, %esp
    push %eax
    call main
    mov %eax, (%esp)
    call exit_from_main     // sys::exit(status); does not return
1:  jmp 1b
    .size _start, . - _start
