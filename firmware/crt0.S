/*
 * rvzk guest start-up (see docs/guest-runtime.md).
 *
 * The executor starts at the ELF entry with every register zero, so nothing is set up:
 * load sp, clear .bss, call main(void), and HALT with main's return value as exit code.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    la      sp, __stack_top

    /* .bss is word-aligned at both ends (link.ld), so clear it a word at a time. */
    la      t1, __bss_start
    la      t2, __bss_end
    bgeu    t1, t2, 2f
1:  sw      zero, 0(t1)
    addi    t1, t1, 4
    bltu    t1, t2, 1b
2:
    call    main

    /* a0 already holds main's return value. */
    li      t0, 0           /* HALT */
    ecall
    /* HALT never returns; if it ever did, stop with an error instead of running on. */
    ebreak
    .size _start, . - _start
