// Verilator testbench for the RV32IM trace-capture core (rvzk_core = CoreSystem, model
// class Vtop). Driven by sim/src/core.rs.
//
// stdin, little-endian: u32 magic 0x4a5a5652 ("RVZJ"), then u32 entry, code_lo, code_hi,
// max_cycles, mem_words, mem_words × u32 image (word i = bytes 4i..4i+4 of guest memory,
// all of RAM, zeros included), u32 input_len, input bytes, u32 seed (0: every stream is
// always ready/valid; otherwise pseudo-random stalls on all three), u64 max_clocks.
//
// stdout, tagged items in the order they leave the core:
//   'R' + 40-byte trace record (docs/trace-record.md layout) + u64 clock it left on
//   'M' + u32 addr, u8 rmask, u8 wmask, u32 rdata, u32 wdata   (syscall memory access)
//   'J' + u8 journal byte
//   'E' + u8 status (1 halted, 2 faulted, 3 clock limit), u32 exit_code, u8 fault_code,
//         u32 fault_pc, u32 retired, u64 run clocks, u64 load clocks,
//         u64 wall-clock nanoseconds of the run
#include "Vtop.h"
#include "verilated.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

static bool get(void* p, size_t n) { return fread(p, 1, n, stdin) == n; }

static uint32_t get32() {
    uint32_t v = 0;
    if (!get(&v, 4)) {
        fprintf(stderr, "core_tb: short input\n");
        exit(2);
    }
    return v;
}

struct Out {
    std::vector<uint8_t> buf;
    void u8(uint8_t v) { buf.push_back(v); }
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i) buf.push_back(uint8_t(v >> (8 * i)));
    }
    void u64(uint64_t v) {
        u32(uint32_t(v));
        u32(uint32_t(v >> 32));
    }
    void flush_if_big() {
        if (buf.size() > (1u << 20)) flush();
    }
    void flush() {
        fwrite(buf.data(), 1, buf.size(), stdout);
        buf.clear();
    }
};

// xorshift32: cheap, reproducible stalls.
struct Rng {
    uint32_t s;
    bool chance(uint32_t in_8) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return (s & 7) < in_8;
    }
};

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    auto top = std::make_unique<Vtop>(ctx.get());

    if (get32() != 0x4a5a5652) {
        fprintf(stderr, "core_tb: bad magic\n");
        return 2;
    }
    const uint32_t entry = get32(), code_lo = get32(), code_hi = get32(), max_cycles = get32();
    const uint32_t mem_words = get32();
    std::vector<uint32_t> image(mem_words);
    if (!get(image.data(), 4 * size_t(mem_words))) {
        fprintf(stderr, "core_tb: short image\n");
        return 2;
    }
    const uint32_t input_len = get32();
    std::vector<uint8_t> input(input_len);
    if (!get(input.data(), input_len)) {
        fprintf(stderr, "core_tb: short input bytes\n");
        return 2;
    }
    const uint32_t seed = get32();
    uint64_t max_clocks = 0;
    if (!get(&max_clocks, 8)) {
        fprintf(stderr, "core_tb: missing clock limit\n");
        return 2;
    }

    uint64_t clocks = 0;
    auto tick = [&]() {
        top->clock = 1;
        top->eval();
        top->clock = 0;
        top->eval();
        ++clocks;
    };
    top->clock = 0;
    top->start = 0;
    top->load_we = 0;
    top->trace_ready = 0;
    top->journal_ready = 0;
    top->input_valid = 0;
    top->eval();

    // Load every word of guest memory through the loader port, as a host would.
    for (uint32_t i = 0; i < mem_words; ++i) {
        top->load_we = 1;
        top->load_addr = i;
        top->load_data = image[i];
        tick();
    }
    top->load_we = 0;
    const uint64_t load_clocks = clocks;

    top->entry = entry;
    top->code_lo = code_lo;
    top->code_hi = code_hi;
    top->max_cycles = max_cycles;
    top->input_len = input_len;
    top->start = 1;
    tick();
    top->start = 0;
    const uint64_t run_start = clocks;

    Out out;
    Rng rng{seed ? seed : 1};
    size_t in_pos = 0;
    uint8_t status = 3;
    auto t0 = std::chrono::steady_clock::now();
    while (clocks - run_start < max_clocks) {
        top->trace_ready = seed ? rng.chance(5) : 1;
        top->journal_ready = seed ? rng.chance(4) : 1;
        top->input_valid = in_pos < input.size() && (seed ? rng.chance(5) : 1);
        top->input_data = in_pos < input.size() ? input[in_pos] : 0;
        top->eval();
        // Sample every handshake before the edge that completes it.
        if (top->done) {
            status = top->halted ? 1 : 2;
            break;
        }
        if (top->trace_valid && top->trace_ready) {
            if (top->trace_kind) {
                out.u8('M');
                out.u32(top->trace_mem_addr);
                out.u8(top->trace_mem_rmask);
                out.u8(top->trace_mem_wmask);
                out.u32(top->trace_mem_rdata);
                out.u32(top->trace_mem_wdata);
            } else {
                out.u8('R');
                out.u32(top->trace_pc);
                out.u32(top->trace_insn);
                out.u32(top->trace_rs1_data);
                out.u32(top->trace_rs2_data);
                out.u32(top->trace_rd_data);
                out.u32(top->trace_mem_addr);
                out.u32(top->trace_mem_rdata);
                out.u32(top->trace_mem_wdata);
                out.u32(top->trace_next_pc);
                out.u8(top->trace_rs1);
                out.u8(top->trace_rs2);
                out.u8(top->trace_rd);
                out.u8(uint8_t((top->trace_mem_rmask & 15) | (top->trace_mem_wmask << 4)));
                out.u64(clocks - run_start);
            }
            out.flush_if_big();
        }
        if (top->journal_valid && top->journal_ready) {
            out.u8('J');
            out.u8(top->journal_data);
        }
        if (top->input_ready && top->input_valid) ++in_pos;
        tick();
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now() - t0)
                        .count();
    out.u8('E');
    out.u8(status);
    out.u32(top->exit_code);
    out.u8(top->fault_code);
    out.u32(top->fault_pc);
    out.u32(top->retired);
    out.u64(clocks - run_start);
    out.u64(load_clocks);
    out.u64(uint64_t(ns));
    out.flush();
    top->final();
    return 0;
}
