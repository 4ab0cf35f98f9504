// Verilator testbench for the NTT engine (model class Vtop, one engine of n = 2^NTT_LOG_N).
//
// Protocol, little-endian u32 words. stdin: job count, seed, then per job the inverse flag
// and n input words. stdout: per job, the n output words. stderr: one summary line.
// Input offers and output readiness are withheld at random (seeded) so the engine's
// valid/ready handling is exercised, not just its arithmetic.
#include "Vtop.h"
#include "verilated.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

static bool read_words(uint32_t* dst, size_t count) {
    return fread(dst, sizeof(uint32_t), count, stdin) == count;
}

int main(int argc, char** argv) {
    const size_t n = size_t(1) << NTT_LOG_N;
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    auto top = std::make_unique<Vtop>(ctx.get());

    uint32_t header[2];
    if (!read_words(header, 2)) {
        fprintf(stderr, "ntt_tb: missing header\n");
        return 2;
    }
    const uint32_t jobs = header[0];
    uint64_t rng = 0x9e3779b97f4a7c15ull ^ header[1];
    auto coin = [&rng](unsigned one_in) {  // xorshift64: true with probability 1/one_in
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng % one_in == 0;
    };

    std::vector<uint32_t> in(n), out(n);
    uint64_t cycles = 0;
    auto t0 = std::chrono::steady_clock::now();
    top->clock = 0;
    top->in_valid = 0;
    top->out_ready = 0;
    top->eval();
    for (uint32_t job = 0; job < jobs; ++job) {
        uint32_t inverse;
        if (!read_words(&inverse, 1) || !read_words(in.data(), n)) {
            fprintf(stderr, "ntt_tb: short input in job %u\n", job);
            return 2;
        }
        size_t sent = 0, got = 0;
        uint64_t start = cycles;
        while (got < n) {
            top->in_valid = sent < n && !coin(16);
            top->in_data = sent < n ? in[sent] : 0;
            top->inverse = inverse;
            top->out_ready = !coin(16);
            top->clock = 0;
            top->eval();
            const bool took = top->in_valid && top->in_ready;
            const bool gave = top->out_valid && top->out_ready;
            const uint32_t word = top->out_data;
            top->clock = 1;
            top->eval();
            ++cycles;
            if (took) ++sent;
            if (gave) out[got++] = word;
            if (cycles - start > 64 * n * NTT_LOG_N + 10000) {
                fprintf(stderr, "ntt_tb: job %u stuck (sent %zu, got %zu)\n", job, sent, got);
                return 3;
            }
        }
        fwrite(out.data(), sizeof(uint32_t), n, stdout);
    }
    fflush(stdout);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fprintf(stderr, "ntt_tb: n=%zu jobs=%u cycles=%llu seconds=%.3f\n", n, jobs,
            (unsigned long long)cycles, secs);
    top->final();
    return 0;
}
