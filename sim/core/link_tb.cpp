// Verilator testbench for rvzk_link (LinkLoopback: SLIP/CRC framer -> UART tx -> line ->
// UART rx -> unframer; model class Vtop). Driven by sim/tests/core_link.rs.
//
// stdin, little-endian: u32 frame count, then per frame u32 length and its bytes.
// stdout: per frame received, u32 length, the bytes, u8 good (CRC checked); then u32
// 0xffffffff and u64 clock cycles. Bytes are offered back to back; a line error or a hang
// (no frame for 100,000 cycles) ends the run with exit status 1.
#include "Vtop.h"
#include "verilated.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    auto top = std::make_unique<Vtop>(ctx.get());
    uint32_t count = 0;
    if (fread(&count, 4, 1, stdin) != 1) return 2;
    std::vector<std::pair<uint8_t, bool>> flat;  // (byte, last of its frame)
    for (uint32_t f = 0; f < count; ++f) {
        uint32_t len = 0;
        if (fread(&len, 4, 1, stdin) != 1 || len == 0) return 2;
        std::vector<uint8_t> bytes(len);
        if (fread(bytes.data(), 1, len, stdin) != len) return 2;
        for (uint32_t i = 0; i < len; ++i) flat.push_back({bytes[i], i + 1 == len});
    }
    auto put32 = [](uint32_t v) { fwrite(&v, 4, 1, stdout); };
    size_t sent = 0;
    uint32_t frames = 0;
    uint64_t clocks = 0, last_frame = 0;
    std::vector<uint8_t> cur;
    top->clock = 0;
    top->valid = 0;
    top->eval();
    while (frames < count) {
        top->valid = sent < flat.size();
        if (sent < flat.size()) {
            top->data = flat[sent].first;
            top->last = flat[sent].second;
        }
        top->eval();
        const bool took = top->valid && top->ready;
        top->clock = 1;
        top->eval();
        top->clock = 0;
        top->eval();
        ++clocks;
        if (took) ++sent;
        if (top->line_error) {
            fprintf(stderr, "link_tb: line error at clock %llu\n", (unsigned long long)clocks);
            return 1;
        }
        if (top->out_valid) cur.push_back(top->out_data);
        if (top->frame_end) {
            put32(uint32_t(cur.size()));
            fwrite(cur.data(), 1, cur.size(), stdout);
            uint8_t good = top->frame_good;
            fwrite(&good, 1, 1, stdout);
            cur.clear();
            ++frames;
            last_frame = clocks;
        }
        if (clocks - last_frame > 100000) {
            fprintf(stderr, "link_tb: no frame for 100000 clocks after %u frames\n", frames);
            return 1;
        }
    }
    put32(0xffffffffu);
    fwrite(&clocks, 8, 1, stdout);
    top->final();
    return 0;
}
