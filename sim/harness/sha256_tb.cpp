// Verilator testbench for the SHA-256 compression core (model class Vtop).
//
// Protocol, little-endian u32 words. stdin: job count, then per job a mode word
// (0 = chain from the given state, 1 = Merkle node from the FIPS IV, 2 = chain from the
// previous result), 8 state words H0..H7 and the 64 block bytes. stdout: per job the 8
// result words. stderr: one summary line, including the largest number of cycles between
// consecutive results (for unchained and for chained blocks).
// Blocks are issued back to back, as fast as `ready` allows.
#include "Vtop.h"
#include "verilated.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

struct Job {
    uint32_t mode;
    uint32_t state[8];
    uint8_t block[64];
};

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    auto top = std::make_unique<Vtop>(ctx.get());

    uint32_t jobs;
    if (fread(&jobs, 4, 1, stdin) != 1) {
        fprintf(stderr, "sha256_tb: missing header\n");
        return 2;
    }
    std::vector<Job> all(jobs);
    for (uint32_t j = 0; j < jobs; ++j) {
        Job& job = all[j];
        if (fread(&job.mode, 4, 1, stdin) != 1 || fread(job.state, 4, 8, stdin) != 8 ||
            fread(job.block, 1, 64, stdin) != 64) {
            fprintf(stderr, "sha256_tb: short input in job %u\n", j);
            return 2;
        }
    }

    std::vector<uint32_t> out(size_t(jobs) * 8);
    uint64_t cycles = 0, last_done = 0;
    // Largest gap between consecutive results, split by whether the later block was chained
    // (a chained block waits for the registered previous result: one cycle more).
    uint64_t gap_max = 0, chain_gap_max = 0;
    uint32_t issued = 0, done = 0;
    auto t0 = std::chrono::steady_clock::now();
    top->clock = 0;
    top->start = 0;
    top->eval();
    while (done < jobs) {
        if (issued < jobs) {
            const Job& job = all[issued];
            top->start = 1;
            top->merkle = job.mode == 1;
            top->chain = job.mode == 2;
            // Port layout: H0 in the top word, message byte 0 in the top byte.
            for (int i = 0; i < 8; ++i) top->state_in[7 - i] = job.state[i];
            for (int w = 0; w < 16; ++w) {
                const uint8_t* b = job.block + 4 * w;
                top->block_in[15 - w] = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) |
                                        (uint32_t(b[2]) << 8) | uint32_t(b[3]);
            }
        } else {
            top->start = 0;
        }
        top->clock = 0;
        top->eval();
        const bool took = top->start && top->ready;
        top->clock = 1;
        top->eval();
        ++cycles;
        if (took) ++issued;
        if (top->done) {
            for (int i = 0; i < 8; ++i) out[size_t(done) * 8 + i] = top->state_out[7 - i];
            if (done > 0) {
                uint64_t gap = cycles - last_done;
                uint64_t& slot = all[done].mode == 2 ? chain_gap_max : gap_max;
                if (gap > slot) slot = gap;
            }
            last_done = cycles;
            ++done;
        }
        if (cycles > 100 * (uint64_t(jobs) + 2)) {
            fprintf(stderr, "sha256_tb: stuck after %u results\n", done);
            return 3;
        }
    }
    fwrite(out.data(), 4, out.size(), stdout);
    fflush(stdout);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fprintf(stderr,
            "sha256_tb: jobs=%u cycles=%llu cycles_per_block=%llu chained_cycles_per_block=%llu "
            "seconds=%.3f\n",
            jobs, (unsigned long long)cycles, (unsigned long long)gap_max,
            (unsigned long long)chain_gap_max, secs);
    top->final();
    return 0;
}
