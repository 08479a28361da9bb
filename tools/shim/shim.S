/*
 * shim.S: a Multiboot loader in an option ROM, for test runs only.
 *
 * The real boot path is BIOS -> GRUB (El Torito) -> kernel. Test runs skip
 * GRUB: Bochs loads this ROM at 0xD0000 (`optromimage1:`), and the BIOS calls
 * the ROM's init vector during POST, with the hardware set up. The payload
 * (the kernel's loadable segments as GRUB places them, bss as zeros, then
 * the modules, page aligned) is a flat disk image on ata1-master, whose
 * channel sits at ports 0x1A0/0x3A6 where the BIOS does not look (a disk the
 * BIOS probes costs 3.4 M instructions of its waits); the shim reads it
 * with PIO straight to its load address. (Bochs's `optramimage` cannot
 * carry it: Bochs allocates guest RAM in 128 KiB blocks on first touch, and
 * a RAM image that crosses a block boundary spills into whatever block is
 * allocated next.)
 * tests/harness/shimboot.py makes the ROM of a run: this code, then the
 * descriptor filled in, then a blob that is the Multiboot information
 * structure (module list, command line, names) already laid out for its
 * place in RAM; it sets the size byte and the checksum byte.
 *
 * What the shim does, in order:
 *   1. (real mode) enable A20; read the BIOS memory map with INT 15h E820
 *      into mmap_addr, as Multiboot entries (size 20, base, length, type).
 *   2. switch to 32-bit protected mode with a flat GDT (in this ROM).
 *   3. copy the blob to mbi_addr; fill flags (memory, memory map), mem_lower
 *      and mem_upper the way GRUB computes them (see there), mmap_length and
 *      mmap_addr.
 *   4. read load_sectors sectors from ata1-master, LBA 0 on, to load_addr
 *      (interrupts off at the drive; on a drive error: a line on COM1, then
 *      cli; hlt).
 *   5. jump to the kernel's physical entry with EAX = 0x2BADB002 and EBX =
 *      mbi_addr, interrupts off, paging off: the Multiboot v1 machine state.
 * It never returns to the BIOS.
 */

#define SMAP 0x534D4150
#define MB_LOADER_MAGIC 0x2BADB002
#define MB_HAS_MEMORY 0x01
#define MB_HAS_MMAP 0x40
#define E820_ENTRY 20
#define MB_ENTRY 24               /* u32 size + the 20-byte E820 entry */
#define STACK_TOP 0x7000          /* below the boot sector's 0x7C00 */
#define ATA_BASE 0x1A0            /* ata1 at ports the BIOS does not probe (shimboot.py) */
#define ATA_CONTROL 0x206         /* device control, at 0x3A6 */

        .section .text
        .code16
        .globl rom_start
rom_start:
        .byte 0x55, 0xAA
        .byte 0                         /* size in 512-byte blocks: set by shimboot.py */
        jmp init                        /* offset 3: the BIOS far-calls here */

        .balign 16
/* The descriptor (offset 16), filled in by shimboot.py: keep in step. */
descriptor:
        .ascii "VMKITSHM"               /* magic */
desc_entry:     .long 0                 /* the kernel's physical entry point */
desc_mbi:       .long 0                 /* where the blob goes (the Multiboot info) */
desc_blob:      .long 0                 /* offset of the blob in this ROM */
desc_blob_len:  .long 0                 /* its size, a multiple of 4 */
desc_mmap:      .long 0                 /* E820 buffer, below 64 KiB */
desc_mmap_max:  .long 0                 /* room for this many entries */
desc_load:      .long 0                 /* where the payload goes */
desc_sectors:   .long 0                 /* its size in 512-byte sectors */

init:
        cli
        cld
        movw %cs, %ax
        movw %ax, %ds                   /* the descriptor, through DS = CS */
        xorw %ax, %ax
        movw %ax, %es                   /* ES:DI walks the E820 buffer */

        inb $0x92, %al                  /* fast A20 on, no reset */
        orb $0x02, %al
        andb $0xFE, %al
        outb %al, $0x92

        /* 1. The memory map: ESI counts bytes stored, EBP entries left. */
        movl (desc_mmap - rom_start), %edi
        movl (desc_mmap_max - rom_start), %ebp
        xorl %esi, %esi
        xorl %ebx, %ebx
e820_next:
        testl %ebp, %ebp
        jz e820_done
        movl $E820_ENTRY, %es:(%di)     /* Multiboot entry: size field 20 */
        addw $4, %di
        movl $0xE820, %eax
        movl $SMAP, %edx
        movl $E820_ENTRY, %ecx
        int $0x15
        jc e820_done
        cmpl $SMAP, %eax
        jne e820_done
        addw $E820_ENTRY, %di
        addl $MB_ENTRY, %esi
        decl %ebp
        testl %ebx, %ebx
        jnz e820_next
e820_done:
        cli

        /* 2. Protected mode. */
        lgdtl %cs:(gdt_pointer - rom_start)
        movl %cr0, %eax
        orb $0x01, %al
        movl %eax, %cr0
        ljmpl $0x08, $protected

        .code32
protected:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        movw %ax, %ss
        movl $STACK_TOP, %esp
        movl %esi, %edx                 /* EDX = mmap_length */

        /* 3. The Multiboot information structure. */
        movl desc_blob, %esi
        addl $rom_start, %esi
        movl desc_mbi, %edi
        movl desc_blob_len, %ecx
        shrl $2, %ecx
        rep movsl
        movl desc_mbi, %ebx
        orl $(MB_HAS_MEMORY | MB_HAS_MMAP), 0(%ebx)
        movl %edx, 44(%ebx)             /* mmap_length */
        movl desc_mmap, %esi
        movl %esi, 48(%ebx)             /* mmap_addr */

        /* mem_lower, mem_upper as GRUB 2 computes them (grub_mmap_get_lower,
         * grub_mmap_get_upper): the usable entry that starts at 0, at most
         * 1 MiB; the part above 1 MiB of the usable entry that holds 1 MiB. */
        addl %esi, %edx                 /* EDX = end of the entries */
        xorl %edi, %edi                 /* EDI = lower bytes */
        xorl %ebp, %ebp                 /* EBP = upper bytes */
mem_next:
        cmpl %edx, %esi
        jae mem_done
        cmpl $1, 20(%esi)               /* type: usable */
        jne mem_skip
        cmpl $0, 8(%esi)                /* base below 4 GiB */
        jne mem_skip
        cmpl $0, 16(%esi)               /* length below 4 GiB */
        jne mem_skip
        movl 4(%esi), %eax              /* base */
        movl 12(%esi), %ecx             /* length */
        testl %eax, %eax
        jnz mem_upper_check
        movl %ecx, %edi
        cmpl $0x100000, %edi
        jbe mem_upper_check
        movl $0x100000, %edi
mem_upper_check:
        cmpl $0x100000, %eax
        ja mem_skip
        addl %eax, %ecx                 /* end of the entry */
        cmpl $0x100000, %ecx
        jbe mem_skip
        subl $0x100000, %ecx
        movl %ecx, %ebp
mem_skip:
        addl $MB_ENTRY, %esi
        jmp mem_next
mem_done:
        shrl $10, %edi
        movl %edi, 4(%ebx)              /* mem_lower, KiB */
        shrl $10, %ebp
        movl %ebp, 8(%ebx)              /* mem_upper, KiB */

        /* 4. The payload, from the disk, LBA 0 on. */
        movw $ATA_BASE + ATA_CONTROL, %dx
        movb $0x02, %al                 /* nIEN: no interrupt from the drive */
        outb %al, %dx
        movl desc_load, %edi
        movl desc_sectors, %ebx         /* EBX = sectors still to read */
        xorl %ebp, %ebp                 /* EBP = next LBA */
read_command:
        testl %ebx, %ebx
        jz read_done
        movl $256, %esi                 /* ESI = sectors in this command */
        cmpl %esi, %ebx
        jae 1f
        movl %ebx, %esi
1:      call ata_wait
        movw $ATA_BASE + 6, %dx         /* drive: master, LBA, bits 24-27 */
        movl %ebp, %eax
        shrl $24, %eax
        andb $0x0F, %al
        orb $0xE0, %al
        outb %al, %dx
        movw $ATA_BASE + 2, %dx         /* sector count (0 means 256) */
        movl %esi, %eax
        outb %al, %dx
        movl %ebp, %eax
        incw %dx                        /* LBA bits 0-7, 8-15, 16-23 */
        outb %al, %dx
        shrl $8, %eax
        incw %dx
        outb %al, %dx
        shrl $8, %eax
        incw %dx
        outb %al, %dx
        movw $ATA_BASE + 7, %dx
        movb $0x20, %al                 /* READ SECTORS */
        outb %al, %dx
        addl %esi, %ebp
        subl %esi, %ebx
read_sector:
        call ata_wait
        testb $0x08, %al                /* DRQ: a sector is there */
        jz ata_error
        movw $ATA_BASE, %dx
        movl $128, %ecx
        rep insl                        /* 512 bytes to ES:EDI */
        decl %esi
        jnz read_sector
        jmp read_command
read_done:

        /* 5. Into the kernel, as GRUB would. */
        movl desc_mbi, %ebx
        movl $MB_LOADER_MAGIC, %eax
        jmp *desc_entry

/* Wait until the drive is not busy; AL = its status. A drive error or
 * fault goes to ata_error. */
ata_wait:
        movw $ATA_BASE + 7, %dx
1:      inb %dx, %al
        testb $0x80, %al                /* BSY */
        jnz 1b
        testb $0x21, %al                /* ERR, DF */
        jnz ata_error
        ret

/* Say so on COM1 (the kernel's console: serial.out) and stop. */
ata_error:
        movl $error_text, %esi
2:      movb (%esi), %bl
        testb %bl, %bl
        jz 4f
        movw $0x3FD, %dx                /* line status: wait for room */
3:      inb %dx, %al
        testb $0x20, %al
        jz 3b
        movw $0x3F8, %dx
        movb %bl, %al
        outb %al, %dx
        incl %esi
        jmp 2b
4:      cli
        hlt
        jmp 4b

error_text:
        .asciz "shim: ata1-master read error (payload disk)\n"

        .balign 8
gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF        /* 0x08: code, flat 4 GiB, 32-bit */
        .quad 0x00CF92000000FFFF        /* 0x10: data, flat 4 GiB */
gdt_end:
gdt_pointer:
        .word gdt_end - gdt - 1
        .long gdt

        .balign 16
        .globl shim_end
shim_end:                               /* the blob follows (shimboot.py) */
