//! Circuit tests on small hand-written programs (the guests are in `zkvm/tests/circuit.rs`).
