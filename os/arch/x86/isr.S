/*
 * isr.S: the entry stubs of every interrupt vector the kernel handles.
 *
 * Each stub makes the stack look the same (a dummy error code where the
 * processor pushes none, then the vector number) and jumps to trap_common,
 * which saves the registers as a TrapFrame (trap.h) and calls
 * trap_dispatch(TrapFrame*). Returning from trap_dispatch restores the
 * registers of the same frame and irets.
 */


.macro STUB vector, has_error
        .globl isr_\vector
isr_\vector:
        .if \has_error == 0
        pushl $0
        .endif
        pushl $\vector
        jmp trap_common
.endm

        .section .text
/* vectors 0..31: exceptions */
STUB 0, 0
STUB 1, 0
STUB 2, 0
STUB 3, 0
STUB 4, 0
STUB 5, 0
STUB 6, 0
STUB 7, 0
STUB 8, 1
STUB 9, 0
STUB 10, 1
STUB 11, 1
STUB 12, 1
STUB 13, 1
STUB 14, 1
STUB 15, 0
STUB 16, 0
STUB 17, 1
STUB 18, 0
STUB 19, 0
STUB 20, 0
STUB 21, 1
STUB 22, 0
STUB 23, 0
STUB 24, 0
STUB 25, 0
STUB 26, 0
STUB 27, 0
STUB 28, 0
STUB 29, 1
STUB 30, 1
STUB 31, 0
/* vectors 32..47: the remapped PIC interrupts (IRQ 0..15) */
STUB 32, 0
STUB 33, 0
STUB 34, 0
STUB 35, 0
STUB 36, 0
STUB 37, 0
STUB 38, 0
STUB 39, 0
STUB 40, 0
STUB 41, 0
STUB 42, 0
STUB 43, 0
STUB 44, 0
STUB 45, 0
STUB 46, 0
STUB 47, 0
/* vector 0x80: system calls from user mode */
STUB 128, 0

trap_common:
        pushl %ds
        pushl %es
        pushl %fs
        pushl %gs
        pushal
        movw $0x10, %ax                 /* kernel data segment */
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        pushl %esp                      /* TrapFrame* */
        cld
        call trap_dispatch
        addl $4, %esp
        .globl trap_return
trap_return:
        popal
        popl %gs
        popl %fs
        popl %es
        popl %ds
        addl $8, %esp                   /* vector and error code */
        iret

/* The table of stub addresses that idt.cpp installs. */
        .section .rodata
        .align 4
        .globl isr_stub_table
isr_stub_table:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
        .long isr_\v
        .endr
        .globl isr_syscall_stub
isr_syscall_stub:
        .long isr_128
