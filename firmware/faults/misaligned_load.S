/*
 * rvzk fault program: LW from an address that is 2 mod 4, inside guest memory.
 *
 * Expected: execution stops with a misaligned-load error (address = word + 2), at the instruction labelled `fault_here` (a global
 * symbol, so a test can look its address up in the ELF symbol table), before any HALT.
 * Nothing is committed.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .globl fault_here
_start:
    la      t1, word
    addi    t1, t1, 2
fault_here:
    lw      a1, 0(t1)

    .data
    .balign 4
word:
    .word   0, 0
    .text
    /* Not reached: if the executor let the fault pass, report it as exit code 0xbad. */
    li      a0, 0xbad
    li      t0, 0
    ecall
