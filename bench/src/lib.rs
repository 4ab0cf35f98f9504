//! Side-by-side benchmarks of rvzk's proof-system kernels against Plonky3 (see `bin/kernels.rs`).
