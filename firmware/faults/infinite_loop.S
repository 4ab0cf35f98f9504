/*
 * rvzk fault program: a jump to itself, forever.
 *
 * Expected: never halts; the executor stops it when its cycle limit is reached (the
 * cycle-limit test), with `fault_here` (a global symbol: the looping JAL) as the pc of
 * every instruction after the first few. Nothing is committed.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .globl fault_here
_start:
    li      a0, 0
fault_here:
    j       fault_here
