//! The binary encoding of a [`StarkProof`] (spec: `docs/stark.md`, "Encoding").
//!
//! Little-endian throughout: field elements are packed as 31-bit canonical values (an
//! extension element is four of them), digests 32 raw bytes, counts unsigned LEB128. Every
//! count is checked against the bytes that remain before anything is allocated, every field
//! element must be canonical and every padding bit zero, so decoding hostile bytes fails
//! with an error naming the byte offset — it never panics, never allocates more than the
//! input's size, and each proof has exactly one encoding.

use super::proof::{QueryOpenings, StarkProof, TableOpenings};
use super::E;
use crate::air::F;
use crate::field::{ExtensionField, PrimeField32};
use crate::fri::FriProof;
use crate::mmcs::{BatchOpening, Digest, LeafOpening};

/// Magic bytes at the start of an encoded proof.
pub const MAGIC: &[u8; 8] = b"RVZKSTK\x01";

/// A malformed encoding.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("proof encoding, byte {offset}: {what}")]
pub struct DecodeError {
    /// Byte offset where decoding failed.
    pub offset: usize,
    /// What was wrong.
    pub what: String,
}

/// Bytes of each part of an encoded proof, for reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SizeBreakdown {
    /// Header, version, heights, commitments and claimed sums.
    pub header_and_commitments: usize,
    /// Out-of-domain openings (tables' columns and, with zero-knowledge, the masks).
    pub ood_openings: usize,
    /// FRI layer commitments, final polynomial and nonce.
    pub fri_commit_phase: usize,
    /// FRI query openings (values and Merkle paths, without salts).
    pub fri_queries: usize,
    /// Trace, aux, quotient and mask openings at the queries (rows and Merkle paths, without
    /// salts).
    pub trace_queries: usize,
    /// Leaf salt values in the query openings (zero-knowledge only).
    pub salts: usize,
}

impl SizeBreakdown {
    /// Total bytes.
    pub fn total(&self) -> usize {
        self.header_and_commitments
            + self.ood_openings
            + self.fri_commit_phase
            + self.fri_queries
            + self.trace_queries
            + self.salts
    }
}

impl core::fmt::Display for SizeBreakdown {
    /// "header+commitments 230, OOD 22007, FRI commit 362, …, salts 17020" (bytes).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "header+commitments {}, OOD {}, FRI commit {}, FRI queries {}, trace queries {}, \
             salts {}",
            self.header_and_commitments,
            self.ood_openings,
            self.fri_commit_phase,
            self.fri_queries,
            self.trace_queries,
            self.salts
        )
    }
}

/// Bits of a packed field element: every canonical Baby Bear value is below 2^31.
const ELEM_BITS: usize = 31;

/// Bytes of `n` packed field elements (the last byte padded with zero bits).
fn packed_len(n: usize) -> usize {
    (n * ELEM_BITS).div_ceil(8)
}

/// The bytes written, and how many bits of them are salt values.
struct Writer(Vec<u8>, usize);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A count: unsigned LEB128 (seven bits a byte, low first), at most a u32.
    fn len(&mut self, n: usize) {
        let mut n = u32::try_from(n).expect("count fits in a u32");
        while n >= 0x80 {
            self.0.push(n as u8 | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }
    fn digest(&mut self, d: &Digest) {
        self.0.extend_from_slice(d);
    }
    /// Field elements as one run of 31-bit values, low bits first, the last byte padded
    /// with zeros.
    fn packed<'a>(&mut self, xs: impl IntoIterator<Item = &'a F>) {
        let (mut acc, mut bits) = (0u64, 0usize);
        for x in xs {
            acc |= u64::from(x.as_canonical()) << bits;
            bits += ELEM_BITS;
            while bits >= 8 {
                self.0.push(acc as u8);
                acc >>= 8;
                bits -= 8;
            }
        }
        if bits > 0 {
            self.0.push(acc as u8);
        }
    }
    fn exts(&mut self, xs: &[E]) {
        self.len(xs.len());
        self.packed(xs.iter().flat_map(|x| x.as_base_slice()));
    }
    /// A batch opening: the leaf count, the leaves' common shape (row widths, salt-row
    /// widths) once, every leaf's values as one packed run, then the siblings.
    fn batch(&mut self, b: &BatchOpening) {
        self.len(b.leaves.len());
        if let Some(first) = b.leaves.first() {
            for part in [&first.rows, &first.salts] {
                self.len(part.len());
                part.iter().for_each(|r| self.len(r.len()));
            }
            for leaf in &b.leaves {
                assert!(
                    same_shape(&leaf.rows, &first.rows) && same_shape(&leaf.salts, &first.salts),
                    "the leaves of a batch opening share one shape"
                );
            }
            self.packed(
                b.leaves
                    .iter()
                    .flat_map(|l| l.rows.iter().chain(&l.salts).flatten()),
            );
            let salt_values: usize = b
                .leaves
                .iter()
                .flat_map(|l| &l.salts)
                .map(|r| r.len())
                .sum();
            self.1 += ELEM_BITS * salt_values;
        }
        self.len(b.siblings.len());
        b.siblings.iter().for_each(|d| self.digest(d));
    }
    fn opt_batch(&mut self, b: &Option<BatchOpening>) {
        match b {
            None => self.0.push(0),
            Some(b) => {
                self.0.push(1);
                self.batch(b);
            }
        }
    }
}

fn same_shape(a: &[Vec<F>], b: &[Vec<F>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.len() == y.len())
}

/// Encode a proof.
pub fn encode(proof: &StarkProof) -> Vec<u8> {
    encode_with_breakdown(proof).0
}

/// Encode a proof and report where the bytes went.
pub fn encode_with_breakdown(proof: &StarkProof) -> (Vec<u8>, SizeBreakdown) {
    let mut w = Writer(Vec::new(), 0);
    let mut sizes = SizeBreakdown::default();
    let mut mark = 0;
    // Bytes since the last call, less the salt bytes written meanwhile (counted apart; a
    // salt value is 31 bits, so salts are whole bytes of the running total).
    let mut salts_seen = 0;
    let mut take = |w: &Writer| {
        let salts = w.1 / 8;
        let n = w.0.len() - mark - (salts - salts_seen);
        mark = w.0.len();
        salts_seen = salts;
        n
    };
    w.0.extend_from_slice(MAGIC);
    w.u32(proof.version);
    w.len(proof.log_heights.len());
    proof.log_heights.iter().for_each(|&h| w.0.push(h as u8));
    w.digest(&proof.main_commit);
    match &proof.aux_commit {
        None => w.0.push(0),
        Some(d) => {
            w.0.push(1);
            w.digest(d);
        }
    }
    w.exts(&proof.claimed_sums);
    w.digest(&proof.quotient_commit);
    sizes.header_and_commitments = take(&w);

    w.len(proof.opened.len());
    for o in &proof.opened {
        for v in [
            &o.prep_local,
            &o.prep_next,
            &o.main_local,
            &o.main_next,
            &o.aux_local,
            &o.aux_next,
        ] {
            w.exts(v);
        }
    }
    w.exts(&proof.quotient_opened);
    w.exts(&proof.mask_opened);
    sizes.ood_openings = take(&w);

    w.len(proof.fri.commits.len());
    proof.fri.commits.iter().for_each(|d| w.digest(d));
    w.exts(&proof.fri.final_poly);
    w.u64(proof.fri.pow_nonce);
    sizes.fri_commit_phase = take(&w);

    w.len(proof.fri.layers.len());
    proof.fri.layers.iter().for_each(|b| w.batch(b));
    sizes.fri_queries = take(&w);

    let q = &proof.queries;
    w.opt_batch(&q.prep);
    w.batch(&q.main);
    w.opt_batch(&q.aux);
    w.batch(&q.quotient);
    sizes.trace_queries = take(&w);
    sizes.salts = w.1 / 8;
    (w.0, sizes)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn err<T>(&self, what: impl Into<String>) -> Result<T, DecodeError> {
        Err(DecodeError {
            offset: self.pos,
            what: what.into(),
        })
    }
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() - self.pos < n {
            return self.err(format!(
                "truncated: {what} needs {n} bytes, {} left",
                self.bytes.len() - self.pos
            ));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }
    fn u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    fn u64(&mut self, what: &str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().unwrap()))
    }
    /// A count of items of at least `min_size` bytes each: it cannot exceed what is left.
    fn count(&mut self, min_size: usize, what: &str) -> Result<usize, DecodeError> {
        let n = self.varint(what)? as usize;
        let left = self.bytes.len() - self.pos;
        if n.saturating_mul(min_size.max(1)) > left {
            return self.err(format!("{what}: count {n} exceeds the {left} bytes left"));
        }
        Ok(n)
    }
    /// An unsigned LEB128 count: at most five bytes, at most u32::MAX, and minimal (no
    /// trailing zero byte), so every count has exactly one encoding.
    fn varint(&mut self, what: &str) -> Result<u32, DecodeError> {
        let start = self.pos;
        let mut v: u64 = 0;
        for k in 0..5 {
            let b = self.u8(what)?;
            v |= u64::from(b & 0x7f) << (7 * k);
            if b & 0x80 == 0 {
                if k > 0 && b == 0 {
                    return Err(DecodeError {
                        offset: start,
                        what: format!("{what}: count is not minimally encoded"),
                    });
                }
                return u32::try_from(v).map_err(|_| DecodeError {
                    offset: start,
                    what: format!("{what}: count {v} exceeds a u32"),
                });
            }
        }
        Err(DecodeError {
            offset: start,
            what: format!("{what}: count longer than five bytes"),
        })
    }
    fn digest(&mut self, what: &str) -> Result<Digest, DecodeError> {
        Ok(self.take(32, what)?.try_into().unwrap())
    }
    /// `n` packed field elements (see [`Writer::packed`]): each canonical, the padding bits
    /// of the last byte zero.
    fn packed(&mut self, n: usize, what: &str) -> Result<Vec<F>, DecodeError> {
        let start = self.pos;
        let bytes = self.take(packed_len(n), what)?;
        let mut out = Vec::with_capacity(n);
        let (mut acc, mut bits, mut next) = (0u64, 0usize, 0usize);
        for k in 0..n {
            while bits < ELEM_BITS {
                acc |= u64::from(bytes[next]) << bits;
                next += 1;
                bits += 8;
            }
            let v = (acc & ((1 << ELEM_BITS) - 1)) as u32;
            acc >>= ELEM_BITS;
            bits -= ELEM_BITS;
            out.push(F::try_from_canonical(v).ok_or(DecodeError {
                offset: start + k * ELEM_BITS / 8,
                what: format!("{what}: {v} is not a canonical field element"),
            })?);
        }
        if acc != 0 {
            return Err(DecodeError {
                offset: self.pos - 1,
                what: format!("{what}: nonzero padding bits"),
            });
        }
        Ok(out)
    }
    /// A count of packed values: it cannot need more than the bytes left.
    fn packed_count(&mut self, per_item: usize, what: &str) -> Result<usize, DecodeError> {
        let n = self.varint(what)? as usize;
        let left = self.bytes.len() - self.pos;
        if packed_len(n.saturating_mul(per_item)) > left {
            return self.err(format!("{what}: count {n} exceeds the {left} bytes left"));
        }
        Ok(n)
    }
    fn exts(&mut self, what: &str) -> Result<Vec<E>, DecodeError> {
        let n = self.packed_count(4, what)?;
        Ok(self
            .packed(4 * n, what)?
            .chunks_exact(4)
            .map(E::from_base_slice)
            .collect())
    }
    /// A list of widths (row or salt-row), each at least 1.
    fn widths(&mut self, what: &str) -> Result<Vec<usize>, DecodeError> {
        let n = self.count(1, what)?;
        (0..n)
            .map(|_| {
                let start = self.pos;
                match self.varint(what)? {
                    0 => Err(DecodeError {
                        offset: start,
                        what: format!("{what}: a row of width 0"),
                    }),
                    w => Ok(w as usize),
                }
            })
            .collect()
    }
    fn batch(&mut self, what: &str) -> Result<BatchOpening, DecodeError> {
        let nleaves = self.count(1, what)?;
        let mut leaves = Vec::new();
        if nleaves > 0 {
            let rows = self.widths(what)?;
            let salts = self.widths(what)?;
            // Every width is at least 1 and every value takes 31 bits, so the leaves cannot
            // hold more values (or rows) than the bytes left allow.
            let per_leaf = rows
                .iter()
                .chain(&salts)
                .fold(0usize, |a, w| a.saturating_add(*w));
            let total = nleaves.saturating_mul(per_leaf);
            let left = self.bytes.len() - self.pos;
            if per_leaf == 0 || packed_len(total.min(usize::MAX / ELEM_BITS)) > left {
                return self.err(format!(
                    "{what}: {nleaves} leaves of {per_leaf} values exceed the {left} bytes left"
                ));
            }
            let values = self.packed(total, what)?;
            let mut it = values.into_iter();
            let mut take_rows = |widths: &[usize]| -> Vec<Vec<F>> {
                widths
                    .iter()
                    .map(|&w| it.by_ref().take(w).collect())
                    .collect()
            };
            leaves = (0..nleaves)
                .map(|_| LeafOpening {
                    rows: take_rows(&rows),
                    salts: take_rows(&salts),
                })
                .collect();
        }
        let ns = self.count(32, what)?;
        let siblings = (0..ns)
            .map(|_| self.digest(what))
            .collect::<Result<_, _>>()?;
        Ok(BatchOpening { leaves, siblings })
    }
    fn opt_batch(&mut self, what: &str) -> Result<Option<BatchOpening>, DecodeError> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => Ok(Some(self.batch(what)?)),
            t => self.err(format!("{what}: presence flag {t}, expected 0 or 1")),
        }
    }
}

/// Decode a proof. Structure only: whether it verifies is the verifier's business.
pub fn decode(bytes: &[u8]) -> Result<StarkProof, DecodeError> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(8, "magic")? != MAGIC {
        return Err(DecodeError {
            offset: 0,
            what: "not an rvzk STARK proof (bad magic bytes)".into(),
        });
    }
    let version = r.u32("version")?;
    let nt = r.count(1, "table count")?;
    let log_heights = (0..nt)
        .map(|_| r.u8("log height").map(usize::from))
        .collect::<Result<_, _>>()?;
    let main_commit = r.digest("main commitment")?;
    let aux_commit = match r.u8("aux flag")? {
        0 => None,
        1 => Some(r.digest("aux commitment")?),
        t => return r.err(format!("aux flag {t}, expected 0 or 1")),
    };
    let claimed_sums = r.exts("claimed sums")?;
    let quotient_commit = r.digest("quotient commitment")?;
    let no = r.count(7, "table openings")?;
    let opened = (0..no)
        .map(|_| {
            Ok(TableOpenings {
                prep_local: r.exts("ood preprocessed")?,
                prep_next: r.exts("ood preprocessed next")?,
                main_local: r.exts("ood main")?,
                main_next: r.exts("ood main next")?,
                aux_local: r.exts("ood aux")?,
                aux_next: r.exts("ood aux next")?,
            })
        })
        .collect::<Result<_, DecodeError>>()?;
    let quotient_opened = r.exts("ood quotient")?;
    let mask_opened = r.exts("ood masks")?;
    let nc = r.count(32, "fri commitments")?;
    let commits = (0..nc)
        .map(|_| r.digest("fri commitment"))
        .collect::<Result<_, _>>()?;
    let final_poly = r.exts("fri final polynomial")?;
    let pow_nonce = r.u64("pow nonce")?;
    let nl = r.count(2, "fri layer openings")?;
    let layers = (0..nl)
        .map(|_| r.batch("fri layer opening"))
        .collect::<Result<_, _>>()?;
    let queries = QueryOpenings {
        prep: r.opt_batch("preprocessed openings")?,
        main: r.batch("main openings")?,
        aux: r.opt_batch("aux openings")?,
        quotient: r.batch("quotient openings")?,
    };
    if r.pos != bytes.len() {
        return r.err(format!(
            "{} trailing bytes after the proof",
            bytes.len() - r.pos
        ));
    }
    Ok(StarkProof {
        version,
        log_heights,
        main_commit,
        aux_commit,
        claimed_sums,
        quotient_commit,
        opened,
        quotient_opened,
        mask_opened,
        fri: FriProof {
            commits,
            final_poly,
            pow_nonce,
            layers,
        },
        queries,
    })
}
