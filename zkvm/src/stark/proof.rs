//! What a STARK proof contains.

use super::E;
use crate::fri::FriProof;
use crate::mmcs::{BatchOpening, Digest};

/// Version of the proof format and protocol; bumped on any change that alters proofs.
pub const PROOF_VERSION: u32 = 8;

/// One table's values at the out-of-domain point ζ (`*_local`) and at ζ·ω (`*_next`: only
/// the columns [`Table::next_columns`](super::Table::next_columns) names, ascending, and
/// every aux column).
/// Extension columns (aux, quotient) appear as their four base-field coordinate columns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableOpenings {
    /// Preprocessed columns at ζ.
    pub prep_local: Vec<E>,
    /// Preprocessed columns at ζω.
    pub prep_next: Vec<E>,
    /// Main columns at ζ.
    pub main_local: Vec<E>,
    /// Main columns at ζω.
    pub main_next: Vec<E>,
    /// Auxiliary (logUp) coordinate columns at ζ.
    pub aux_local: Vec<E>,
    /// Auxiliary coordinate columns at ζω.
    pub aux_next: Vec<E>,
}

/// Alias kept for readers of the spec: all tables' openings.
pub type OpenedValues = Vec<TableOpenings>;

/// The openings of every commitment at the FRI queries, one pruned batch per commitment
/// ([`BatchOpening`]: a leaf per distinct query row, each needed sibling once). With
/// zero-knowledge every leaf but the preprocessed ones carries its salt rows, and the
/// quotient leaves also hold the mask polynomials' rows (after the quotient chunks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryOpenings {
    /// Preprocessed tree (if the verifying key has one).
    pub prep: Option<BatchOpening>,
    /// Main traces.
    pub main: BatchOpening,
    /// Auxiliary columns (if any table has interactions).
    pub aux: Option<BatchOpening>,
    /// Quotient chunks.
    pub quotient: BatchOpening,
}

/// A STARK proof for a set of tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarkProof {
    /// [`PROOF_VERSION`].
    pub version: u32,
    /// log2 of each table's height.
    pub log_heights: Vec<usize>,
    /// Root over all main traces.
    pub main_commit: Digest,
    /// Root over all auxiliary columns (if any table has interactions).
    pub aux_commit: Option<Digest>,
    /// Each table's logUp sum (zero for tables without interactions).
    pub claimed_sums: Vec<E>,
    /// Root over all quotient chunks.
    pub quotient_commit: Digest,
    /// Out-of-domain openings, per table.
    pub opened: OpenedValues,
    /// Each group's quotient-chunk coordinate columns at ζ (one quotient per height, tallest
    /// first; four coordinates per chunk).
    pub quotient_opened: Vec<E>,
    /// Zero-knowledge only: each FRI input's mask polynomial at ζ, four coordinate values
    /// per input height, tallest first (empty without zero-knowledge).
    pub mask_opened: Vec<E>,
    /// The FRI proof of the DEEP quotients.
    pub fri: FriProof,
    /// Commitment openings at the FRI queries.
    pub queries: QueryOpenings,
}
