//! The RV32IM circuit: AIR tables for every instruction and the guest ABI, joined by logUp
//! buses, and the image ID. Tables and columns: `docs/circuit.md`.
//!
//! API contract (used by `receipt` and the CLI): [`image_id`], [`prove`], [`verify_seal`].

mod bus;
mod columns;
pub mod cpu;
pub mod program;
pub mod tables;
#[cfg(test)]
mod tests;
mod witness;

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::abi::MEM_BASE;
use crate::air::window::{Sink, Window, WindowBuilder};
use crate::air::{Air, Direction, F};
use crate::elf::Program;
use crate::field::Field;
use crate::matrix::RowMajorMatrix;
use crate::merkle::Digest;
use crate::offload::Offload;
use crate::rv32im::{run_traced, RunOptions};
use crate::stark::{self, PublicInteraction, StarkConfig, StarkProof, Table, VerifyingKey};

use cpu::CpuTable;
use program::{InstCols, ProgramTable};
use tables::{ByteTable, DynamicTable, ImageTable, MaskTable, SyscallTable, IMAGE_PREP_WIDTH};

pub use bus::REG_BASE;

/// Version of the circuit and seal encoding; part of every image ID and receipt.
pub const PROTOCOL_VERSION: u32 = 5;

/// A program's identity: SHA-256 over the protocol version, the entry pc and the commitment
/// to the preprocessed program and memory-image tables (`docs/circuit.md`, "Image ID").
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ImageId(pub [u8; 32]);

impl ImageId {
    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parse 64 hex digits (an optional `0x` prefix is accepted).
    pub fn from_hex(s: &str) -> Result<ImageId, CircuitError> {
        let t = s.trim();
        let t = t.strip_prefix("0x").unwrap_or(t);
        if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CircuitError::BadImageId(s.to_string()));
        }
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).expect("hex checked");
        }
        Ok(ImageId(out))
    }
}

impl core::fmt::Display for ImageId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// What a receipt asserts: the program (by image ID) ran to HALT with this exit code and
/// committed this journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The program.
    pub image_id: ImageId,
    /// HALT's exit code.
    pub exit_code: u32,
    /// The bytes COMMIT wrote, in order.
    pub journal: Vec<u8>,
}

/// How to prove.
#[derive(Clone, Debug)]
pub struct ProveOptions {
    /// Proof-system parameters (default: [`StarkConfig::default_100_bits`]).
    pub config: StarkConfig,
    /// Stop with an error if the guest has not halted after this many cycles.
    pub max_cycles: u64,
    /// Zero-knowledge randomness: `Some(n)` reproduces a proof exactly; `None` draws fresh
    /// OS entropy (the default, and what hiding needs).
    pub seed: Option<u64>,
}

impl Default for ProveOptions {
    fn default() -> Self {
        ProveOptions {
            config: StarkConfig::default_100_bits(),
            max_cycles: 1 << 22,
            seed: None,
        }
    }
}

/// Where proving spent its time and memory.
#[derive(Clone, Debug, Default)]
pub struct ProveReport {
    /// Guest cycles (retired instructions, HALT included).
    pub cycles: u64,
    /// `(phase, seconds)` in order: execute, trace generation, then the STARK's phases.
    pub phases: Vec<(String, f64)>,
    /// `(table, log2 height)` of every table.
    pub tables: Vec<(String, usize)>,
}

/// A proof of one execution.
#[derive(Clone, Debug)]
pub struct Proof {
    /// What is proven.
    pub claim: Claim,
    /// The STARK proof and what the verifier needs to rebuild the verifying key.
    pub seal: Vec<u8>,
    /// Figures.
    pub report: ProveReport,
}

/// Why proving or verifying failed.
#[derive(Debug, thiserror::Error)]
pub enum CircuitError {
    /// Not 64 hex digits.
    #[error("image ID {0:?} is not 64 hex digits")]
    BadImageId(String),
    /// The guest faulted or ran out of cycles: there is nothing to prove.
    #[error("execution failed: {0}")]
    Execution(#[from] crate::rv32im::ExecError),
    /// The program or its run exceeds what one proof can hold.
    #[error("{0}")]
    TooLarge(String),
    /// The STARK prover refused (a bug if the executor accepted the run).
    #[error("prover: {0}")]
    Prove(String),
    /// The seal does not decode.
    #[error("seal: {0}")]
    Seal(String),
    /// The seal belongs to another program.
    #[error("the seal is for image {found}, not {expected}")]
    WrongImage {
        /// The image ID the claim names.
        expected: ImageId,
        /// The image ID the seal's verifying key hashes to.
        found: ImageId,
    },
    /// The proof does not verify.
    #[error("verification failed: {0}")]
    Verify(String),
    /// Work sent to an accelerator failed or came back wrong: the proof is discarded.
    #[error("{0}")]
    Offload(#[from] crate::offload::OffloadError),
}

/// Every table is at least this tall (2^12, far more than the 2·(queries + 1) rows that
/// zero-knowledge needs): the short tables then share one LDE height, so they are one FRI
/// input (and one mask) instead of four, and FRI needs no extra layers to land on their
/// heights (`docs/circuit.md`, "Heights"). Fixed so the preprocessed tables, and so the
/// image ID, do not depend on the parameters.
pub const MIN_LOG_HEIGHT: usize = 12;
/// The tallest CPU table: 2^22 cycles (timestamps must stay below 2^24).
pub const MAX_LOG_CYCLES: usize = 22;
/// Largest image (words from `MEM_BASE` to the end of the last segment).
pub const MAX_IMAGE_WORDS: usize = 1 << 22;
/// The FRI blowup every proof uses: the preprocessed commitment, hence the image ID, depends
/// on it.
pub const LOG_BLOWUP: usize = 2;

const MIN_HEIGHT: usize = 1 << MIN_LOG_HEIGHT;

/// Table order in every proof.
const TABLE_NAMES: [&str; 7] = [
    "cpu", "program", "image", "memory", "syscall", "bytes", "masks",
];

/// A program as the circuit sees it: its code words and its memory image.
pub struct Image {
    /// Entry pc.
    pub entry: u32,
    /// `(pc, word)` of every word of the executable segments, in address order.
    pub code: Vec<(u32, u32)>,
    /// Words from `MEM_BASE / 4` to `end`.
    pub words: Vec<u32>,
    /// Whether each of `words` is in an executable segment (read-only).
    pub ro: Vec<bool>,
    /// One past the image's last word address.
    pub end: u32,
    /// The image table's preprocessed rows.
    pub rows: RowMajorMatrix<F>,
}

impl Image {
    /// Lay out `program`.
    pub fn new(program: &Program) -> Result<Image, CircuitError> {
        let base = MEM_BASE / 4;
        // Zero-initialised memory past the file data (.bss, the stack) is dynamic memory:
        // the image ends after the last file byte or code word.
        let end_byte = program
            .segments
            .iter()
            .map(|s| {
                if s.executable {
                    s.end()
                } else {
                    s.vaddr + s.data.len() as u32
                }
            })
            .max()
            .unwrap_or(MEM_BASE);
        let end = end_byte.div_ceil(4).max(base + 1);
        let nwords = (end - base) as usize;
        if nwords > MAX_IMAGE_WORDS {
            return Err(CircuitError::TooLarge(format!(
                "the memory image spans {nwords} words from {MEM_BASE:#x}; one proof holds at \
                 most {MAX_IMAGE_WORDS}"
            )));
        }
        let mut bytes = vec![0u8; nwords * 4];
        let mut ro = vec![false; nwords];
        let mut code = Vec::new();
        for seg in &program.segments {
            let off = (seg.vaddr - MEM_BASE) as usize;
            bytes[off..off + seg.data.len()].copy_from_slice(&seg.data);
            if seg.executable {
                for a in (seg.vaddr..seg.end()).step_by(4) {
                    ro[((a - MEM_BASE) / 4) as usize] = true;
                }
            }
        }
        let words: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        for seg in program.segments.iter().filter(|s| s.executable) {
            for a in (seg.vaddr..seg.end()).step_by(4) {
                code.push((a, words[((a - MEM_BASE) / 4) as usize]));
            }
        }
        code.sort_unstable();
        let nrows = 32 + nwords;
        let height = nrows.next_power_of_two().max(MIN_HEIGHT);
        let mut rows =
            RowMajorMatrix::new(vec![F::ZERO; height * IMAGE_PREP_WIDTH], IMAGE_PREP_WIDTH);
        for i in 0..nrows {
            let (addr, v, r) = if i < 32 {
                (REG_BASE + i as u32, 0, false)
            } else {
                (base + (i - 32) as u32, words[i - 32], ro[i - 32])
            };
            let row = rows.row_mut(i);
            row[0] = F::new(addr);
            for (j, b) in v.to_le_bytes().iter().enumerate() {
                row[1 + j] = F::new(*b as u32);
            }
            row[5] = program::fb(r);
            row[6] = F::ONE;
        }
        Ok(Image {
            entry: program.entry,
            code,
            words,
            ro,
            end,
            rows,
        })
    }

    /// Index into `words` of a word address in the image.
    fn index(&self, waddr: u32) -> Option<usize> {
        let base = MEM_BASE / 4;
        (waddr >= base && waddr < self.end).then(|| (waddr - base) as usize)
    }

    /// The image-table row of a word address (registers first).
    fn row_of(&self, waddr: u32) -> Option<usize> {
        if (REG_BASE..REG_BASE + 32).contains(&waddr) {
            return Some((waddr - REG_BASE) as usize);
        }
        self.index(waddr).map(|i| i + 32)
    }

    /// Rows holding registers and words (the rest is padding).
    fn num_rows(&self) -> usize {
        32 + self.words.len()
    }

    /// Initial value of image-table row `i`.
    fn row_value(&self, i: usize) -> u32 {
        if i < 32 {
            0
        } else {
            self.words[i - 32]
        }
    }

    /// Index into `code` of the word at `pc`.
    fn code_index(&self, pc: u32) -> Option<usize> {
        self.code.binary_search_by_key(&pc, |c| c.0).ok()
    }
}

/// The seven tables; the program-specific preprocessed rows only on the prover's side (the
/// verifier gets their shape, one zero row).
struct Tables {
    cpu: CpuTable,
    program: ProgramTable,
    image: ImageTable,
    dynamic: DynamicTable,
    syscall: SyscallTable,
    bytes: ByteTable,
    masks: MaskTable,
}

impl Tables {
    fn new(image: Option<&Image>) -> Tables {
        let (prog, img) = match image {
            Some(im) => (ProgramTable::build(&im.code, MIN_HEIGHT), im.rows.clone()),
            None => (
                RowMajorMatrix::new(vec![F::ZERO; InstCols::<F>::WIDTH], InstCols::<F>::WIDTH),
                RowMajorMatrix::new(vec![F::ZERO; IMAGE_PREP_WIDTH], IMAGE_PREP_WIDTH),
            ),
        };
        Tables {
            cpu: CpuTable,
            program: ProgramTable { rows: Some(prog) },
            image: ImageTable { rows: Some(img) },
            dynamic: DynamicTable,
            syscall: SyscallTable,
            bytes: ByteTable::new(image.is_some()),
            masks: MaskTable::new(MIN_HEIGHT, image.is_some()),
        }
    }

    fn list(&self) -> Vec<&dyn Table> {
        vec![
            &self.cpu,
            &self.program,
            &self.image,
            &self.dynamic,
            &self.syscall,
            &self.bytes,
            &self.masks,
        ]
    }
}

/// The preprocessed widths of the tables, in order (`None`: no preprocessed columns).
fn prep_widths() -> Vec<Option<usize>> {
    vec![
        None,
        Some(InstCols::<F>::WIDTH),
        Some(IMAGE_PREP_WIDTH),
        None,
        None,
        Some(5),
        Some(6),
    ]
}

/// Hash the verifying key's parts into an image ID.
fn image_id_of(entry: u32, image_end: u32, vk: &VerifyingKey) -> ImageId {
    let mut h = Sha256::new();
    h.update(b"rvzk image id");
    h.update(PROTOCOL_VERSION.to_le_bytes());
    h.update(entry.to_le_bytes());
    h.update(image_end.to_le_bytes());
    for lh in &vk.prep_log_heights {
        h.update([lh.map_or(0xff, |x| x as u8)]);
    }
    h.update(vk.prep_root.unwrap_or([0; 32]));
    ImageId(h.finalize().into())
}

/// The canonical commitment parameters (what the preprocessed commitment depends on).
fn canonical(config: &StarkConfig) -> Result<(), CircuitError> {
    if config.fri.log_blowup != LOG_BLOWUP || !config.zk {
        return Err(CircuitError::Prove(format!(
            "proofs of executions use blowup 2^{LOG_BLOWUP} with zero-knowledge on (the image \
             ID commits to the program at that blowup); got 2^{} with zero-knowledge {}",
            config.fri.log_blowup,
            if config.zk { "on" } else { "off" }
        )));
    }
    Ok(())
}

/// Roughly how many bytes of memory proving a run of `cycles` cycles takes with the default
/// parameters: the CPU table dominates (its trace, the coefficients of its main and logUp
/// columns and one LDE block of n rows of them, kept for reuse: about 3.25 KiB per row of
/// its power-of-two height, measured at 2^20 rows; `docs/benchmarks.md`, "Proving"), plus
/// the fixed tables.
pub fn prover_memory_estimate(cycles: u64) -> u64 {
    let rows = cycles.max(1).next_power_of_two().max(MIN_HEIGHT as u64);
    rows * 3328 + (512 << 20)
}

/// The image ID of `program`.
pub fn image_id(program: &Program) -> Result<ImageId, CircuitError> {
    let image = Image::new(program)?;
    let tables = Tables::new(Some(&image));
    let (_, vk) = stark::setup(&StarkConfig::default_100_bits(), &tables.list());
    Ok(image_id_of(image.entry, image.end, &vk))
}

fn public_values(entry: u32, image_end: u32, exit_code: u32, journal_len: usize) -> Vec<F> {
    let mut pv = vec![F::new(entry), F::new(image_end)];
    pv.extend(exit_code.to_le_bytes().map(|b| F::new(b as u32)));
    pv.push(F::from_u64(journal_len as u64));
    debug_assert_eq!(pv.len(), bus::NUM_PUBLIC);
    pv
}

fn journal_interactions(journal: &[u8]) -> Vec<PublicInteraction> {
    journal
        .iter()
        .enumerate()
        .map(|(i, &b)| PublicInteraction {
            bus: bus::JOURNAL,
            direction: Direction::Receive,
            values: vec![F::from_u64(i as u64), F::new(b as u32)],
            multiplicity: F::ONE,
        })
        .collect()
}

/// Counts the byte-table and mask-table lookups of one row.
#[derive(Default)]
struct LookupCounter {
    bytes: Vec<(u32, u32, u32, u32)>,
    masks: Vec<(usize, u32)>,
}

impl Sink<F> for LookupCounter {
    fn constraint(&mut self, _: F) {}
    fn interaction(&mut self, bus_id: usize, direction: Direction, values: &[F], m: F) {
        if direction != Direction::Send || m.is_zero() {
            return;
        }
        let m = m.as_canonical();
        if bus_id == bus::BYTE {
            let op = values[0].as_canonical();
            self.bytes
                .push((op, values[1].as_canonical(), values[2].as_canonical(), m));
        } else if bus_id == bus::MASK {
            let (o, k) = (values[0].as_canonical(), values[1].as_canonical());
            let row = tables::mask_rows()
                .iter()
                .position(|r| r[0] == o && r[1] == k)
                .unwrap_or(usize::MAX);
            self.masks.push((row, m));
        }
    }
}

/// Add the byte- and mask-table lookups of every row of `trace` to the counts.
fn count_lookups<A: Air>(
    air: &A,
    trace: &RowMajorMatrix<F>,
    public: &[F],
    bytes: &mut [[u32; 4]],
    masks: &mut [u32],
) -> Result<(), CircuitError> {
    // The counted tables have no preprocessed columns.
    let chunks: Vec<LookupCounter> = (0..trace.height())
        .into_par_iter()
        .fold(LookupCounter::default, |acc, row| {
            let mut b = WindowBuilder {
                window: Window::at_row(trace, None, public, row),
                sink: acc,
            };
            air.eval(&mut b);
            b.sink
        })
        .collect();
    for c in chunks {
        for (op, x, y, m) in c.bytes {
            if op > 3 || x > 255 || y > 255 {
                return Err(CircuitError::Prove(format!(
                    "{}: byte lookup ({op}, {x}, {y}) outside the table",
                    air.name()
                )));
            }
            bytes[tables::byte_row(x, y)][op as usize] += m;
        }
        for (row, m) in c.masks {
            if row == usize::MAX {
                return Err(CircuitError::Prove("a syscall row has no lane mask".into()));
            }
            masks[row] += m;
        }
    }
    Ok(())
}

/// Everything a proof is made from: the tables with their traces and the statement.
pub(crate) struct Built {
    pub(crate) image: Image,
    tables: Tables,
    pub(crate) traces: Vec<RowMajorMatrix<F>>,
    pub(crate) public: Vec<F>,
    pub(crate) outcome: crate::rv32im::Outcome,
}

impl Built {
    #[cfg(test)]
    fn list(&self) -> Vec<&dyn Table> {
        self.tables.list()
    }
}

/// Execute and generate every trace (`lie`: for soundness tests, a deliberate error).
pub(crate) fn build(
    program: &Program,
    input: &[u8],
    max_cycles: u64,
    lie: Option<witness::Lie>,
    report: &mut ProveReport,
    progress: &mut dyn FnMut(&str),
) -> Result<Built, CircuitError> {
    let mut clock = Instant::now();
    let mut lap = |report: &mut ProveReport, name: &str| {
        let now = Instant::now();
        report
            .phases
            .push((name.to_string(), (now - clock).as_secs_f64()));
        clock = now;
    };
    progress("execute");
    let capped = max_cycles.min(1 << MAX_LOG_CYCLES);
    let run = RunOptions {
        max_cycles: capped,
        ..RunOptions::default()
    };
    let (outcome, trace) = run_traced(program, input, &run).map_err(|e| {
        if matches!(e.fault, crate::rv32im::Fault::CycleLimit { .. })
            && capped == 1 << MAX_LOG_CYCLES
        {
            CircuitError::TooLarge(format!(
                "the guest did not halt within 2^{MAX_LOG_CYCLES} cycles, the most one proof \
                 holds (continuations are not supported yet)"
            ))
        } else {
            CircuitError::Execution(e)
        }
    })?;
    let mut outcome = outcome;
    if let Some(witness::Lie::JournalByte(n)) = lie {
        if let Some(b) = outcome.journal.get_mut(n) {
            *b ^= 1;
        }
    }
    report.cycles = outcome.cycles;
    lap(report, "execute");
    build_from(program, outcome, trace, lie, report, progress)
}

/// Generate every trace from an execution's outcome and trace (the executor's, or a
/// board's: the witness generator recomputes and checks every record).
fn build_from(
    program: &Program,
    outcome: crate::rv32im::Outcome,
    trace: crate::rv32im::Trace,
    lie: Option<witness::Lie>,
    report: &mut ProveReport,
    progress: &mut dyn FnMut(&str),
) -> Result<Built, CircuitError> {
    let clock = Instant::now();
    progress("trace generation");
    if trace.records.len() > 1 << MAX_LOG_CYCLES {
        return Err(CircuitError::TooLarge(format!(
            "the trace has {} records; one proof holds at most 2^{MAX_LOG_CYCLES} cycles",
            trace.records.len()
        )));
    }
    let image = Image::new(program)?;
    let w = witness::generate(&image, &trace, MIN_HEIGHT, lie)?;
    drop(trace);
    let public = public_values(
        image.entry,
        image.end,
        outcome.exit_code,
        outcome.journal.len(),
    );
    let tables = Tables::new(Some(&image));
    let mut byte_counts = vec![[0u32; 4]; 1 << tables::BYTE_LOG_HEIGHT];
    let mut mask_counts = vec![0u32; MIN_HEIGHT];
    for (air, trace) in [
        (&tables.cpu as &dyn LookupSource, &w.cpu),
        (&tables.dynamic, &w.dynamic),
        (&tables.syscall, &w.syscall),
    ] {
        air.count(trace, &public, &mut byte_counts, &mut mask_counts)?;
    }
    let prog_h = tables.program.rows.as_ref().map_or(0, |r| r.height());
    let mut prog_mult = vec![F::ZERO; prog_h];
    for (i, &m) in w.program_mult.iter().enumerate() {
        prog_mult[i] = F::new(m);
    }
    let traces = vec![
        w.cpu,
        RowMajorMatrix::new_col(prog_mult),
        w.image_final,
        w.dynamic,
        w.syscall,
        RowMajorMatrix::new(byte_counts.into_iter().flatten().map(F::new).collect(), 4),
        RowMajorMatrix::new_col(mask_counts.into_iter().map(F::new).collect()),
    ];
    report.tables.clear();
    for (t, name) in traces.iter().zip(TABLE_NAMES) {
        report
            .tables
            .push((name.to_string(), crate::util::log2_strict(t.height())));
    }
    report
        .phases
        .push(("trace generation".into(), clock.elapsed().as_secs_f64()));
    Ok(Built {
        image,
        tables,
        traces,
        public,
        outcome,
    })
}

/// Tables whose lookups into the byte and mask tables the prover counts.
trait LookupSource {
    fn count(
        &self,
        trace: &RowMajorMatrix<F>,
        public: &[F],
        bytes: &mut [[u32; 4]],
        masks: &mut [u32],
    ) -> Result<(), CircuitError>;
}

impl<A: Air> LookupSource for A {
    fn count(
        &self,
        trace: &RowMajorMatrix<F>,
        public: &[F],
        bytes: &mut [[u32; 4]],
        masks: &mut [u32],
    ) -> Result<(), CircuitError> {
        count_lookups(self, trace, public, bytes, masks)
    }
}

/// Prove `built` (with `options` for the STARK; cheating options only in tests). With
/// `offload` the honest prover runs (the options are for soundness tests, which never
/// offload) and a failed or wrong offloaded job fails the proof.
fn prove_built(
    built: Built,
    config: &StarkConfig,
    seed: stark::Seed,
    prover: &stark::ProverOptions,
    offload: Option<&Arc<Offload>>,
    report: &mut ProveReport,
    progress: &mut dyn FnMut(&str),
) -> Result<(Claim, Vec<u8>), CircuitError> {
    let clock = Instant::now();
    progress("setup");
    let Built {
        image,
        tables,
        traces,
        public,
        outcome,
    } = built;
    let list = tables.list();
    let (pk, vk) = stark::setup(config, &list);
    report
        .phases
        .push(("setup".into(), clock.elapsed().as_secs_f64()));
    progress("prove");
    let journal = journal_interactions(&outcome.journal);
    let proof = if let Some(off) = offload {
        let (proof, stats) = stark::prove_offloaded(
            config, &pk, &vk, &list, traces, &public, &journal, seed, off,
        )
        .map_err(|e| CircuitError::Prove(e.to_string()))?;
        for (name, secs) in stats.phases {
            report.phases.push((name.to_string(), secs));
        }
        if let Some(e) = off.error() {
            return Err(CircuitError::Offload(e));
        }
        proof
    } else if prover.check_witness {
        let (proof, stats) =
            stark::prove_with_stats(config, &pk, &vk, &list, traces, &public, &journal, seed)
                .map_err(|e| CircuitError::Prove(e.to_string()))?;
        for (name, secs) in stats.phases {
            report.phases.push((name.to_string(), secs));
        }
        proof
    } else {
        stark::prove_with_options(
            config, &pk, &vk, &list, traces, &public, &journal, prover, seed,
        )
        .map_err(|e| CircuitError::Prove(e.to_string()))?
    };
    let claim = Claim {
        image_id: image_id_of(image.entry, image.end, &vk),
        exit_code: outcome.exit_code,
        journal: outcome.journal,
    };
    let seal = encode_seal(image.entry, image.end, &vk, &proof);
    Ok((claim, seal))
}

/// Run `program` on `input` and prove the execution. `progress` is told each phase's name
/// as it starts.
pub fn prove(
    program: &Program,
    input: &[u8],
    options: &ProveOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Proof, CircuitError> {
    canonical(&options.config)?;
    let mut report = ProveReport::default();
    let built = build(
        program,
        input,
        options.max_cycles,
        None,
        &mut report,
        progress,
    )?;
    let (claim, seal) = prove_built(
        built,
        &options.config,
        stark_seed(options.seed),
        &stark::ProverOptions::HONEST,
        None,
        &mut report,
        progress,
    )?;
    Ok(Proof {
        claim,
        seal,
        report,
    })
}

/// An execution recorded elsewhere — by a board's trace-capture core — to be proven as it
/// is: the trace is the witness (trace generation recomputes and checks every record, so a
/// trace that is not an execution of the program is refused, never proven).
#[derive(Clone, Debug)]
pub struct Execution {
    /// How it ended: HALT's exit code, the journal, the instructions retired.
    pub outcome: crate::rv32im::Outcome,
    /// Every retired instruction's record and every syscall memory access.
    pub trace: crate::rv32im::Trace,
}

/// Prove `execution` of `program` (instead of running the executor), sending NTT and
/// Merkle work to `offload`'s device where it grants it. With the same seed, the seal is
/// byte-identical to [`prove`]'s for the same run. A failed or wrong offloaded job fails
/// the proof with [`CircuitError::Offload`].
pub fn prove_execution(
    program: &Program,
    execution: Execution,
    options: &ProveOptions,
    offload: Option<&Arc<Offload>>,
    progress: &mut dyn FnMut(&str),
) -> Result<Proof, CircuitError> {
    canonical(&options.config)?;
    let mut report = ProveReport {
        cycles: execution.trace.records.len() as u64,
        ..ProveReport::default()
    };
    if execution.outcome.cycles != report.cycles {
        return Err(CircuitError::Prove(format!(
            "the execution retired {} instructions but its trace has {} records",
            execution.outcome.cycles, report.cycles
        )));
    }
    let built = build_from(
        program,
        execution.outcome,
        execution.trace,
        None,
        &mut report,
        progress,
    )?;
    let (claim, seal) = prove_built(
        built,
        &options.config,
        stark_seed(options.seed),
        &stark::ProverOptions::HONEST,
        offload,
        &mut report,
        progress,
    )?;
    Ok(Proof {
        claim,
        seal,
        report,
    })
}

/// The STARK prover's seed: the given one, or fresh OS entropy.
fn stark_seed(seed: Option<u64>) -> stark::Seed {
    seed.map_or_else(stark::Seed::from_entropy, stark::Seed::from_u64)
}

const SEAL_MAGIC: &[u8; 4] = b"RVZS";

/// Seal = magic, version, entry, image end, preprocessed log heights, preprocessed root, the
/// STARK proof (`docs/circuit.md`, "Seal").
fn encode_seal(entry: u32, image_end: u32, vk: &VerifyingKey, proof: &StarkProof) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(SEAL_MAGIC);
    out.extend_from_slice(&PROTOCOL_VERSION.to_le_bytes());
    out.extend_from_slice(&entry.to_le_bytes());
    out.extend_from_slice(&image_end.to_le_bytes());
    for lh in &vk.prep_log_heights {
        out.push(lh.map_or(0xff, |x| x as u8));
    }
    out.extend_from_slice(&vk.prep_root.unwrap_or([0; 32]));
    out.extend_from_slice(&stark::codec::encode(proof));
    out
}

struct SealParts {
    entry: u32,
    image_end: u32,
    vk: VerifyingKey,
    proof: StarkProof,
}

fn decode_seal(seal: &[u8]) -> Result<SealParts, CircuitError> {
    let nt = TABLE_NAMES.len();
    let head = 4 + 4 + 4 + 4 + nt + 32;
    if seal.len() < head {
        return Err(CircuitError::Seal(format!(
            "{} bytes, shorter than the {head}-byte header",
            seal.len()
        )));
    }
    if &seal[..4] != SEAL_MAGIC {
        return Err(CircuitError::Seal("bad magic at byte 0".into()));
    }
    let u = |o: usize| u32::from_le_bytes(seal[o..o + 4].try_into().unwrap());
    if u(4) != PROTOCOL_VERSION {
        return Err(CircuitError::Seal(format!(
            "protocol version {} at byte 4, this verifier reads {PROTOCOL_VERSION}",
            u(4)
        )));
    }
    let widths = prep_widths();
    let mut prep_log_heights = Vec::with_capacity(nt);
    for (t, w) in widths.iter().enumerate() {
        let b = seal[16 + t];
        let h = match (b, w) {
            (0xff, None) => None,
            (h, Some(_)) if (MIN_LOG_HEIGHT..=24).contains(&(h as usize)) => Some(h as usize),
            _ => {
                return Err(CircuitError::Seal(format!(
                    "preprocessed height {b} of table {} at byte {}",
                    TABLE_NAMES[t],
                    16 + t
                )))
            }
        };
        prep_log_heights.push(h);
    }
    let mut root: Digest = [0; 32];
    root.copy_from_slice(&seal[16 + nt..head]);
    let proof = stark::codec::decode(&seal[head..])
        .map_err(|e| CircuitError::Seal(format!("STARK proof (from byte {head}): {e}")))?;
    Ok(SealParts {
        entry: u(8),
        image_end: u(12),
        vk: VerifyingKey {
            prep_root: Some(root),
            prep_log_heights,
            prep_widths: widths,
        },
        proof,
    })
}

/// Check that `seal` proves `claim` with parameters `config`.
pub fn verify_seal(claim: &Claim, config: &StarkConfig, seal: &[u8]) -> Result<(), CircuitError> {
    canonical(config).map_err(|e| CircuitError::Verify(e.to_string()))?;
    let parts = decode_seal(seal)?;
    let found = image_id_of(parts.entry, parts.image_end, &parts.vk);
    if found != claim.image_id {
        return Err(CircuitError::WrongImage {
            expected: claim.image_id,
            found,
        });
    }
    if parts.image_end <= MEM_BASE / 4 || parts.image_end > REG_BASE {
        return Err(CircuitError::Seal(format!(
            "image end {:#x} out of range",
            parts.image_end
        )));
    }
    match parts.proof.log_heights.first() {
        Some(&h) if h <= MAX_LOG_CYCLES => {}
        Some(&h) => {
            return Err(CircuitError::Verify(format!(
                "the CPU table has 2^{h} rows, more than 2^{MAX_LOG_CYCLES}"
            )))
        }
        None => return Err(CircuitError::Seal("no tables".into())),
    }
    let public = public_values(
        parts.entry,
        parts.image_end,
        claim.exit_code,
        claim.journal.len(),
    );
    let tables = Tables::new(None);
    stark::verify(
        config,
        &parts.vk,
        &tables.list(),
        &parts.proof,
        &public,
        &journal_interactions(&claim.journal),
    )
    .map_err(|e| CircuitError::Verify(e.to_string()))
}
