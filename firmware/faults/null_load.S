/*
 * rvzk fault program: LW from address 0 (the first page is never mapped).
 *
 * Expected: execution stops with an out-of-memory-range (unmapped) load error at address 0, at the instruction labelled `fault_here` (a global
 * symbol, so a test can look its address up in the ELF symbol table), before any HALT.
 * Nothing is committed.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .globl fault_here
_start:
fault_here:
    lw      a1, 0(zero)
    /* Not reached: if the executor let the fault pass, report it as exit code 0xbad. */
    li      a0, 0xbad
    li      t0, 0
    ecall
