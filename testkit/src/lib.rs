//! What rvzk's tests share, so each test file does not carry its own copy: where the example
//! guests and ISA programs built by `make guests` are, and deterministic pseudo-random data.
//!
//! Guests come from `$RVZK_GUESTS`, or `build/guests` at the workspace root when it is unset.
//! A missing guest panics with the command that builds it: these helpers serve tests only.

use std::path::{Path, PathBuf};

use rvzk_zkvm::elf::Program;

/// The directory holding the built guests: `$RVZK_GUESTS`, else `<workspace>/build/guests`.
pub fn guests_dir() -> PathBuf {
    std::env::var_os("RVZK_GUESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../build/guests")
                .to_path_buf()
        })
}

/// The path of guest `rel` (e.g. `"multiply"`, `"isa/alu"`, `"faults/ebreak"`): its `.elf`
/// under [`guests_dir`]. Panics, naming the path and `make guests`, when it does not exist.
pub fn guest_path(rel: &str) -> PathBuf {
    let path = guests_dir().join(format!("{rel}.elf"));
    if !path.exists() {
        panic!(
            "{}: no such guest; build the guests with `make guests` (or set RVZK_GUESTS)",
            path.display()
        );
    }
    path
}

/// The bytes of guest `rel`'s ELF file (see [`guest_path`]).
pub fn guest_elf(rel: &str) -> Vec<u8> {
    let path = guest_path(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Guest `rel` loaded as a [`Program`]; panics with the path if it does not load.
pub fn load_guest(rel: &str) -> Program {
    let path = guest_path(rel);
    Program::load(&guest_elf(rel)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `len` pseudo-random bytes from `seed` (xorshift64*): the same on every machine, so a
/// failing input can be reproduced from its seed.
pub fn pseudo_random_bytes(seed: u64, len: usize) -> Vec<u8> {
    // xorshift needs a non-zero state
    let mut s = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        out.extend_from_slice(&s.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_random_bytes_depend_on_the_seed_only() {
        assert_eq!(pseudo_random_bytes(7, 100), pseudo_random_bytes(7, 100));
        assert_ne!(pseudo_random_bytes(7, 100), pseudo_random_bytes(8, 100));
        assert_eq!(
            pseudo_random_bytes(0, 33)[..],
            pseudo_random_bytes(0, 40)[..33]
        );
        // zero seed still gives varied bytes
        let z = pseudo_random_bytes(0, 256);
        assert!(z.iter().filter(|&&b| b == 0).count() < 16);
    }

    #[test]
    #[should_panic(expected = "make guests")]
    fn a_missing_guest_names_the_fix() {
        guest_path("no/such/guest");
    }
}
