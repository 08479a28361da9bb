/*
 * boot.S: from GRUB to kernel_main.
 *
 * GRUB (Multiboot v1) jumps to _start in 32-bit protected mode with paging
 * off, EAX = 0x2BADB002 and EBX = physical address of the Multiboot info.
 * The kernel is linked at KERNEL_BASE + 1 MiB but loaded at 1 MiB, so:
 *
 *   1. Load a boot page directory that maps the first 16 MiB of physical
 *      memory twice, at 0 (so the next instruction still runs) and at
 *      KERNEL_BASE (where the kernel is linked), with 4 MiB pages (CR4.PSE).
 *   2. Turn paging on, jump to the higher half, switch to the boot stack.
 *   3. Call kernel_main(magic, multiboot_info_physical). kernel_main builds
 *      the real kernel page directory and drops the low mapping.
 */

#define KERNEL_BASE 0xC0000000
#define PHYS(x) ((x) - KERNEL_BASE)

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* bit 0: modules page aligned, bit 1: memory map */

        .section .multiboot, "a"
        .align 4
multiboot_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

        .section .data
        .align 4096
        .globl boot_page_directory
boot_page_directory:
        /* 0x83 = present | writable | 4 MiB page */
        .long 0x00000083, 0x00400083, 0x00800083, 0x00C00083
        .fill 768 - 4, 4, 0
        .long 0x00000083, 0x00400083, 0x00800083, 0x00C00083
        .fill 1024 - 768 - 4, 4, 0

        .section .bss
        .align 16
        .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
        .skip 16384
boot_stack_top:

        .section .text
        .globl _start
_start:
        cli
        movl %eax, %esi                 /* keep the Multiboot magic */
        movl %cr4, %eax
        orl $0x00000010, %eax           /* CR4.PSE: 4 MiB pages */
        movl %eax, %cr4
        movl $PHYS(boot_page_directory), %eax
        movl %eax, %cr3
        movl %cr0, %eax
        orl $0x80010000, %eax           /* CR0.PG and CR0.WP */
        movl %eax, %cr0
        lea higher_half, %eax
        jmp *%eax
higher_half:
        movl $boot_stack_top, %esp
        xorl %ebp, %ebp                 /* end of the stack trace */
        pushl %ebx                      /* multiboot info (physical) */
        pushl %esi                      /* magic */
        call kernel_main
1:      cli
        hlt
        jmp 1b
