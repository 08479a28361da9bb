/*
 * switch.S: switching kernel stacks between threads.
 *
 * switch_context(uint32_t* save_esp, uint32_t next_esp) saves the
 * callee-saved registers on the current stack, stores the stack pointer in
 * *save_esp, loads next_esp, restores that thread's registers and returns
 * into it. A new thread's stack is made (thread.cpp) to look as if it had
 * called switch_context itself: four zeros, then the address to "return" to.
 */
        .section .text
        .globl switch_context
switch_context:
        movl 4(%esp), %eax
        movl 8(%esp), %edx
        pushl %ebp
        pushl %ebx
        pushl %esi
        pushl %edi
        movl %esp, (%eax)
        movl %edx, %esp
        popl %edi
        popl %esi
        popl %ebx
        popl %ebp
        ret

/* First code of a new kernel thread: [esp] = function, [esp+4] = argument. */
        .globl thread_entry_stub
thread_entry_stub:
        sti
        popl %eax
        call *%eax              /* function(argument): the argument is at [esp] */
        call thread_exit_current
1:      jmp 1b
