/*
 * rvzk fault program: ECALL with t0 = 99, which is no syscall.
 *
 * Expected: execution stops with an unknown-syscall error (number 99), at the instruction labelled `fault_here` (a global
 * symbol, so a test can look its address up in the ELF symbol table), before any HALT.
 * Nothing is committed.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .globl fault_here
_start:
    li      a0, 0
    li      t0, 99
fault_here:
    ecall
    /* Not reached: if the executor let the fault pass, report it as exit code 0xbad. */
    li      a0, 0xbad
    li      t0, 0
    ecall
