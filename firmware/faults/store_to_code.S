/*
 * rvzk fault program: SW into the program's own (executable) text segment, at _start.
 *
 * Expected: execution stops with a store-to-code error (the executor rejects stores into executable segments) at address _start = 0x1000, at the instruction labelled `fault_here` (a global
 * symbol, so a test can look its address up in the ELF symbol table), before any HALT.
 * Nothing is committed.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .globl fault_here
_start:
    la      t1, _start
fault_here:
    sw      zero, 0(t1)
    /* Not reached: if the executor let the fault pass, report it as exit code 0xbad. */
    li      a0, 0xbad
    li      t0, 0
    ecall
