/*
 * rvzk fault program: an all-zero instruction word (illegal in RV32IM; also the defined illegal
 * instruction of the compressed encoding, which rvzk does not support).
 *
 * Expected: execution stops with an illegal-instruction error, at the instruction labelled `fault_here` (a global
 * symbol, so a test can look its address up in the ELF symbol table), before any HALT.
 * Nothing is committed.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .globl fault_here
_start:
    li      a0, 1
fault_here:
    .word   0x00000000
    /* Not reached: if the executor let the fault pass, report it as exit code 0xbad. */
    li      a0, 0xbad
    li      t0, 0
    ecall
