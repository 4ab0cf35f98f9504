/*
 * rvzk fault program: JALR to a target that is 2 mod 4 (bit 0 is cleared by JALR, bit 1 is not).
 *
 * Expected: execution stops with a misaligned-jump error naming the JALR's pc (fault_here); the target is `target + 2`, at the instruction labelled `fault_here` (a global
 * symbol, so a test can look its address up in the ELF symbol table), before any HALT.
 * Nothing is committed.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .globl fault_here
_start:
    la      t1, target
    addi    t1, t1, 2
fault_here:
    jalr    ra, 0(t1)
target:
    nop
    nop
    /* Not reached: if the executor let the fault pass, report it as exit code 0xbad. */
    li      a0, 0xbad
    li      t0, 0
    ecall
