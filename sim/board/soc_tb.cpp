// The simulated board: the Verilator model of a board SoC (rvzk_soc_sim, model class Vtop)
// with its UART bridged to a pseudo-terminal, so host code opens the board exactly as it
// opens /dev/ttyUSB0 (docs/board-protocol.md, "The simulated board").
//
// Usage: soc_tb [--vcd FILE]
// Prints "port /dev/pts/N" on stdout once the terminal is open, then runs until SIGTERM or
// SIGINT, or until stdin reaches end of file (so a parent that dies takes the board
// with it), and prints a line of statistics on stderr when it stops.
//
// Compile-time: DIVISOR, the UART bit time in clocks (the model's own).
#include "Vtop.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <pty.h>
#include <string>
#include <termios.h>
#include <unistd.h>

#ifndef DIVISOR
#error "DIVISOR (UART bit time in clocks) must be defined"
#endif

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int) { stop_requested = 1; }

// Drives the board's rx line: start bit, 8 data bits LSB first, stop bit, DIVISOR clocks each.
struct LineOut {
    std::deque<uint8_t> queue;
    int bit = -1;  // -1 idle; 0 start; 1..8 data; 9 stop
    int timer = 0;
    uint8_t byte = 0;
    bool level() const {
        if (bit < 0 || bit == 9) return true;
        if (bit == 0) return false;
        return (byte >> (bit - 1)) & 1;
    }
    bool busy() const { return bit >= 0 || !queue.empty(); }
    // Called once per clock, after the level was presented for this clock.
    void tick() {
        if (bit < 0) {
            if (queue.empty()) return;
            byte = queue.front();
            queue.pop_front();
            bit = 0;
            timer = 0;
        }
        if (++timer == DIVISOR) {
            timer = 0;
            if (++bit == 10) bit = -1;
        }
    }
};

// Samples the board's tx line in the middle of each bit.
struct LineIn {
    int bit = -1;
    int timer = 0;
    uint8_t byte = 0;
    bool busy() const { return bit >= 0; }
    // Returns true with `out` set when a byte completes.
    bool tick(bool level, uint8_t& out) {
        if (bit < 0) {
            if (!level) {
                bit = 0;
                timer = 0;
            }
            return false;
        }
        ++timer;
        // the start bit's falling edge was seen at timer 0: bit k's middle is at
        // k*DIVISOR + DIVISOR/2
        if (timer == bit * DIVISOR + DIVISOR / 2) {
            if (bit >= 1 && bit <= 8) {
                if (level) byte |= uint8_t(1u << (bit - 1));
                else byte &= uint8_t(~(1u << (bit - 1)));
            }
            if (bit == 9) {
                bit = -1;
                out = byte;
                return true;  // a missing stop bit is the host's problem to notice (CRC)
            }
            ++bit;
        }
        return false;
    }
};

int main(int argc, char** argv) {
    const char* vcd_path = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--vcd") && i + 1 < argc) {
            vcd_path = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--vcd FILE]\n", argv[0]);
            return 2;
        }
    }
    int master = -1, slave = -1;
    char name[256];
    if (openpty(&master, &slave, name, nullptr, nullptr) != 0) {
        perror("soc_tb: openpty");
        return 1;
    }
    // Raw both ways: no echo, no line editing, no CR/LF translation, 8-bit clean.
    struct termios t;
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    // The slave stays open here so that the terminal survives the host closing it between
    // runs (a master without any slave reads EIO).
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);

    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    auto top = std::make_unique<Vtop>(ctx.get());
#if VM_TRACE
    std::unique_ptr<VerilatedVcdC> vcd;
    if (vcd_path) {
        ctx->traceEverOn(true);
        vcd = std::make_unique<VerilatedVcdC>();
        top->trace(vcd.get(), 99);
        vcd->open(vcd_path);
    }
#else
    if (vcd_path) {
        fprintf(stderr, "soc_tb: this build has no waveform support (build with trace)\n");
        return 2;
    }
#endif

    printf("port %s\n", name);
    fflush(stdout);

    LineOut to_board;
    LineIn from_board;
    uint64_t clocks = 0, busy_clocks = 0, bytes_in = 0, bytes_out = 0;
    uint64_t quiet = 0;
    std::string out_buf;
    const auto t0 = std::chrono::steady_clock::now();
    top->rx = 1;
    top->clock = 0;
    top->eval();
    while (!stop_requested) {
        // Every 64 clocks: move bytes between the terminal and the line queues.
        if ((clocks & 63) == 0) {
            if (to_board.queue.size() < 4096) {
                uint8_t buf[4096];
                ssize_t n = read(master, buf, sizeof buf);
                if (n > 0) {
                    to_board.queue.insert(to_board.queue.end(), buf, buf + n);
                    bytes_in += uint64_t(n);
                }
            }
            if (!out_buf.empty()) {
                ssize_t n = write(master, out_buf.data(), out_buf.size());
                if (n > 0) out_buf.erase(0, size_t(n));
            }
            if ((clocks & 0xffff) == 0) {
                char c;
                ssize_t n = read(0, &c, 1);
                if (n == 0) break;  // the parent closed our stdin: it is gone
            }
        }
        const bool running = top->leds & 1;
        const bool active = running || to_board.busy() || from_board.busy() || !out_buf.empty();
        quiet = active ? 0 : quiet + 1;
        if (quiet > 200000) {
            // Nothing is moving and the core is stopped: wait for the host instead of
            // spinning (the model's state cannot change without input).
            struct pollfd p = {master, POLLIN, 0};
            poll(&p, 1, 20);
            quiet = 200000;
            char c;
            if (read(0, &c, 1) == 0) break;
        }
        top->rx = to_board.level();
        top->clock = 1;
        top->eval();
#if VM_TRACE
        if (vcd) vcd->dump(2 * clocks + 1);
#endif
        top->clock = 0;
        top->eval();
#if VM_TRACE
        if (vcd) vcd->dump(2 * clocks + 2);
#endif
        ++clocks;
        if (active) ++busy_clocks;
        to_board.tick();
        uint8_t b;
        if (from_board.tick(top->tx, b)) {
            out_buf.push_back(char(b));
            ++bytes_out;
        }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
#if VM_TRACE
    if (vcd) vcd->close();
#endif
    top->final();
    fprintf(stderr,
            "soc_tb: %llu clocks (%llu busy) in %.3f s, %.0f clocks/s; %llu bytes in, %llu out\n",
            (unsigned long long)clocks, (unsigned long long)busy_clocks, secs,
            secs > 0 ? double(clocks) / secs : 0.0, (unsigned long long)bytes_in,
            (unsigned long long)bytes_out);
    return 0;
}
