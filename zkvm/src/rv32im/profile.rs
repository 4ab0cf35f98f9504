//! Attributing executed instructions to the guest's functions (`rvzk run --profile`).

use crate::elf::Program;

use super::machine::Profile;

/// Cycles spent in one function (its own instructions, not its callees').
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionCycles {
    /// Symbol name, or `"<unknown>"` for code no symbol covers.
    pub name: String,
    /// Entry address of the function (0 when unknown).
    pub addr: u32,
    /// Instructions executed inside it.
    pub cycles: u64,
}

impl Profile {
    /// Self cycles per function, most first (ties by name).
    pub fn by_function(&self, program: &Program) -> Vec<FunctionCycles> {
        let mut out: Vec<FunctionCycles> = Vec::new();
        for (i, &count) in self.counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let pc = self.code_base + 4 * i as u32;
            let (name, addr) = match program.function_at(pc) {
                Some(s) => (s.name.as_str(), s.addr),
                None => ("<unknown>", 0),
            };
            match out.iter_mut().find(|f| f.addr == addr && f.name == name) {
                Some(f) => f.cycles += count,
                None => out.push(FunctionCycles {
                    name: name.to_string(),
                    addr,
                    cycles: count,
                }),
            }
        }
        out.sort_by(|a, b| b.cycles.cmp(&a.cycles).then_with(|| a.name.cmp(&b.name)));
        out
    }

    /// Total instructions counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}
