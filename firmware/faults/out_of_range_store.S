/*
 * rvzk fault program: SW to 0x1000_0000, the first address past the software MEM_TOP (and far
 * past a board's 0x2_0000).
 *
 * Expected: execution stops with an out-of-memory-range store error at address 0x1000_0000, at the instruction labelled `fault_here` (a global
 * symbol, so a test can look its address up in the ELF symbol table), before any HALT.
 * Nothing is committed.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .globl fault_here
_start:
    li      t1, 0x10000000
fault_here:
    sw      zero, 0(t1)
    /* Not reached: if the executor let the fault pass, report it as exit code 0xbad. */
    li      a0, 0xbad
    li      t0, 0
    ecall
