//! The software backend: the executor and the CPU prover (the reference).

use anyhow::{bail, Result};
use rvzk_zkvm::circuit::{CircuitError, ProveOptions, ProveReport};
use rvzk_zkvm::elf::Program;
use rvzk_zkvm::receipt::{prove_with_report, Receipt, ReceiptError};
use rvzk_zkvm::rv32im::RunOptions;

use super::{check_memory, Backend};

/// Executes and proves on this machine.
#[derive(Debug, Default)]
pub struct Software;

impl Backend for Software {
    fn name(&self) -> String {
        "software".into()
    }

    fn prove(
        &mut self,
        elf: &str,
        program: &Program,
        input: &[u8],
        options: &ProveOptions,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Receipt, ProveReport)> {
        // The executor is fast: run it once for the cycle count the memory check needs. A
        // fault is reported by the prover itself, with its usual message.
        let run = RunOptions {
            max_cycles: options.max_cycles,
            ..Default::default()
        };
        if let Ok(outcome) = rvzk_zkvm::rv32im::run(program, input, &run) {
            check_memory(elf, outcome.cycles)?;
        }
        match prove_with_report(program, input, options, progress) {
            Ok(r) => Ok(r),
            Err(ReceiptError::Prove(CircuitError::Execution(e))) => {
                let place = program
                    .function_at(e.pc)
                    .map(|s| format!(" in {}", s.name))
                    .unwrap_or_default();
                bail!("{elf}: guest stopped: {e}{place}; there is nothing to prove");
            }
            Err(e) => bail!("{elf}: cannot prove: {e}"),
        }
    }
}
