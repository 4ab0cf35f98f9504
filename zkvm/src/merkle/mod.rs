//! SHA-256 Merkle commitments to matrices: one leaf per row (ARCHITECTURE.md contract 4).
//!
//! * **Leaf** = SHA-256 (FIPS 180-4, with its padding) of the row's canonical `u32` values,
//!   each as 4 little-endian bytes, in column order.
//! * **Node** = one raw SHA-256 compression of the 64 bytes `left ‖ right`, starting from the
//!   standard IV, with no padding block; the digest is the 8 state words big-endian (as a
//!   SHA-256 digest is written). Half the cost of a padded hash, and safe here because every
//!   node input has the same fixed length (see `docs/merkle.md`).
//!
//! The height must be a power of two. Openings are batched: several rows are opened with one
//! [`MultiProof`] whose siblings are shared (a node the verifier can compute itself is never
//! sent). Verification returns a [`MerkleError`] on anything malformed; it never panics.

mod sha256x;

use crate::field::BabyBear;
use crate::matrix::RowMajorMatrix;
use crate::ntt::{canonical_words, Isa};
use rayon::prelude::*;
use sha256x::{compress_blocks, compress_many};

/// A 32-byte SHA-256 digest.
pub type Digest = [u8; 32];

/// The SHA-256 initial hash value (FIPS 180-4 §5.3.3).
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Below this many rows, hashing stays on the calling thread.
const PAR_MIN_ROWS: usize = 256;

fn state_to_digest(state: [u32; 8]) -> Digest {
    let mut out = [0u8; 32];
    for (chunk, w) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// The 2-to-1 node hash: one compression of `left ‖ right` from the IV, no padding.
#[inline]
pub fn hash_node(left: &Digest, right: &Digest) -> Digest {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(left);
    block[32..].copy_from_slice(right);
    let mut state = IV;
    compress_blocks(&mut state, core::slice::from_ref(&block));
    state_to_digest(state)
}

/// Number of 64-byte blocks in the padded SHA-256 message of `len` bytes.
#[inline]
fn padded_blocks(len: usize) -> usize {
    (len + 9).div_ceil(64)
}

/// Writes the padded SHA-256 message of the canonical little-endian words of `parts`,
/// concatenated (`n` values in all), into `blocks` (exactly `padded_blocks(4n)` of them);
/// `words` is scratch.
fn fill_message<'a>(
    parts: impl Iterator<Item = &'a [BabyBear]>,
    n: usize,
    blocks: &mut [[u8; 64]],
    words: &mut Vec<u32>,
) {
    let len = n * 4;
    words.resize(n, 0);
    // Montgomery form to canonical, a vector at a time (a third of the hashing time when
    // done one element at a time).
    let isa = Isa::detect();
    let mut at = 0;
    for p in parts {
        canonical_words(isa, &mut words[at..at + p.len()], p);
        at += p.len();
    }
    assert_eq!(at, n, "fill_message: row length");
    let bytes = blocks.as_flattened_mut();
    for (dst, w) in bytes[..len].chunks_exact_mut(4).zip(words.iter()) {
        dst.copy_from_slice(&w.to_le_bytes());
    }
    // FIPS 180-4 §5.1.1: a 1 bit, zeros, then the bit length as a 64-bit big-endian number.
    let total = bytes.len();
    bytes[len] = 0x80;
    bytes[len + 1..total - 8].fill(0);
    bytes[total - 8..].copy_from_slice(&((len as u64) * 8).to_be_bytes());
}

/// Scratch for leaf hashing: message blocks and canonical words, reused across rows.
#[derive(Default)]
struct Scratch {
    blocks: Vec<[u8; 64]>,
    words: Vec<u32>,
}

/// The leaf hash of a row given as `parts` (concatenated).
fn hash_row_with(parts: &[&[BabyBear]], buf: &mut Scratch) -> Digest {
    let n: usize = parts.iter().map(|p| p.len()).sum();
    buf.blocks.resize(padded_blocks(n * 4), [0u8; 64]);
    fill_message(parts.iter().copied(), n, &mut buf.blocks, &mut buf.words);
    let mut state = IV;
    compress_blocks(&mut state, &buf.blocks);
    state_to_digest(state)
}

/// The leaf hash of a row: SHA-256 of its canonical values as little-endian `u32`s.
pub fn hash_leaf(row: &[BabyBear]) -> Digest {
    hash_row_with(&[row], &mut Scratch::default())
}

/// Independent SHA-256 streams compressed together (see `sha256x`).
const WAYS: usize = 4;

/// Hashes consecutive rows, `WAYS` at a time: row r is the concatenation of row r of every
/// matrix of `parts` (values and width; each holds `out.len()` rows).
fn hash_rows_into(parts: &[(&[BabyBear], usize)], out: &mut [Digest], buf: &mut Scratch) {
    let width: usize = parts.iter().map(|(_, w)| w).sum();
    let nb = padded_blocks(width * 4);
    let row = |r: usize| parts.iter().map(move |(v, w)| &v[r * w..(r + 1) * w]);
    let mut k = 0;
    while k + WAYS <= out.len() {
        buf.blocks.resize(WAYS * nb, [0u8; 64]);
        for (s, msg) in buf.blocks.chunks_exact_mut(nb).enumerate() {
            fill_message(row(k + s), width, msg, &mut buf.words);
        }
        let mut states = [IV; WAYS];
        compress_many::<WAYS>(
            &mut states,
            core::array::from_fn(|s| &buf.blocks[s * nb..(s + 1) * nb]),
        );
        for (d, st) in out[k..k + WAYS].iter_mut().zip(states) {
            *d = state_to_digest(st);
        }
        k += WAYS;
    }
    for (r, d) in out.iter_mut().enumerate().skip(k) {
        let parts: Vec<&[BabyBear]> = row(r).collect();
        *d = hash_row_with(&parts, buf);
    }
}

/// Hashes every row of `mat` into `out` (parallel, one reusable message buffer per task).
pub(crate) fn hash_leaves(mat: &RowMajorMatrix<BabyBear>, out: &mut [Digest]) {
    hash_leaves_joined(&[mat], out);
}

/// Hashes every row of the side-by-side concatenation of `mats` (all as tall as `out`) into
/// `out`, reading each matrix's rows in place rather than copying them together first.
pub(crate) fn hash_leaves_joined(mats: &[&RowMajorMatrix<BabyBear>], out: &mut [Digest]) {
    for m in mats {
        assert_eq!(m.height(), out.len(), "hash_leaves: heights differ");
    }
    const ROWS: usize = 64;
    let run = |b: usize, o: &mut [Digest], buf: &mut Scratch| {
        let parts: Vec<(&[BabyBear], usize)> = mats
            .iter()
            .map(|m| {
                let w = m.width;
                (&m.values[b * ROWS * w..(b * ROWS + o.len()) * w], w)
            })
            .collect();
        hash_rows_into(&parts, o, buf);
    };
    if out.len() >= PAR_MIN_ROWS {
        out.par_chunks_mut(ROWS)
            .enumerate()
            .for_each_init(Scratch::default, |buf, (b, o)| run(b, o, buf));
    } else {
        let mut buf = Scratch::default();
        for (b, o) in out.chunks_mut(ROWS).enumerate() {
            run(b, o, &mut buf);
        }
    }
}

/// `parents[i] = hash_node(children[2i], children[2i+1])` for a run of parents, `WAYS` at a
/// time: each pair of adjacent digests is already the 64-byte block to compress.
fn hash_pairs_into(children: &[Digest], parents: &mut [Digest]) {
    // SAFETY: two adjacent `[u8; 32]` are 64 contiguous bytes with alignment 1.
    let pairs: &[[u8; 64]] =
        unsafe { core::slice::from_raw_parts(children.as_ptr().cast(), children.len() / 2) };
    let mut k = 0;
    while k + WAYS <= parents.len() {
        let mut states = [IV; WAYS];
        compress_many::<WAYS>(
            &mut states,
            core::array::from_fn(|s| &pairs[k + s..k + s + 1]),
        );
        for (d, st) in parents[k..k + WAYS].iter_mut().zip(states) {
            *d = state_to_digest(st);
        }
        k += WAYS;
    }
    for (p, pair) in parents[k..].iter_mut().zip(&pairs[k..]) {
        let mut state = IV;
        compress_blocks(&mut state, core::slice::from_ref(pair));
        *p = state_to_digest(state);
    }
}

/// Fills `parents[i] = hash_node(children[2i], children[2i+1])`.
pub(crate) fn hash_layer(children: &[Digest], parents: &mut [Digest]) {
    if parents.len() >= PAR_MIN_ROWS {
        const PARENTS: usize = 256;
        parents
            .par_chunks_mut(PARENTS)
            .zip(children.par_chunks(2 * PARENTS))
            .for_each(|(p, c)| hash_pairs_into(c, p));
    } else {
        hash_pairs_into(children, parents);
    }
}

/// `n` zero digests in a prefaulted buffer (see `matrix::prefaulted_vec`).
pub(crate) fn zeroed_digests(n: usize) -> Vec<Digest> {
    let mut v = crate::matrix::prefaulted_vec(n);
    v.resize(n, [0u8; 32]);
    v
}

/// Why a Merkle opening was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// No index was opened.
    #[error("no index opened")]
    NoIndices,
    /// An index is not below the committed height.
    #[error("index {index} out of range for {height} leaves")]
    IndexOutOfRange {
        /// The offending index.
        index: usize,
        /// The number of leaves.
        height: usize,
    },
    /// The claimed tree is too tall to exist.
    #[error("log height {0} is too large")]
    HeightTooLarge(u32),
    /// Not one row per index.
    #[error("{rows} rows for {indices} indices")]
    RowCountMismatch {
        /// Rows supplied.
        rows: usize,
        /// Indices supplied.
        indices: usize,
    },
    /// A row has the wrong number of columns.
    #[error("row for index {index} has width {got}, expected {expected}")]
    RowWidthMismatch {
        /// The row's index.
        index: usize,
        /// Its width.
        got: usize,
        /// The committed width.
        expected: usize,
    },
    /// The same index was opened twice with different rows.
    #[error("index {0} opened twice with different rows")]
    ConflictingRows(usize),
    /// The proof ran out of siblings.
    #[error("proof has too few siblings")]
    MissingSiblings,
    /// Siblings were left over after reaching the root.
    #[error("proof has {0} unused siblings")]
    ExtraSiblings(usize),
    /// The recomputed root differs from the commitment.
    #[error("root mismatch")]
    RootMismatch,
}

/// A batched opening proof: the siblings needed to recompute the root from the opened rows,
/// level by level from the leaves up and, within a level, in increasing node order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MultiProof {
    /// Sibling digests, in the order the verifier consumes them.
    pub siblings: Vec<Digest>,
}

/// A Merkle tree over the rows of a matrix; keeps the matrix to answer openings.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    matrix: RowMajorMatrix<BabyBear>,
    /// `layers[0]` are the leaf hashes; the last layer is `[root]`.
    layers: Vec<Vec<Digest>>,
}

impl MerkleTree {
    /// Commits to `matrix` (height a power of two, at least 1).
    pub fn commit(matrix: RowMajorMatrix<BabyBear>) -> Self {
        let h = matrix.height();
        assert!(h.is_power_of_two(), "Merkle height must be a power of two");
        let mut leaves = zeroed_digests(h);
        hash_leaves(&matrix, &mut leaves);
        let mut layers = vec![leaves];
        while layers.last().unwrap().len() > 1 {
            let children = layers.last().unwrap();
            let mut parents = zeroed_digests(children.len() / 2);
            hash_layer(children, &mut parents);
            layers.push(parents);
        }
        Self { matrix, layers }
    }

    /// The commitment.
    pub fn root(&self) -> Digest {
        self.layers.last().unwrap()[0]
    }

    /// log2 of the number of leaves.
    pub fn log_height(&self) -> u32 {
        self.layers.len() as u32 - 1
    }

    /// The committed matrix.
    pub fn matrix(&self) -> &RowMajorMatrix<BabyBear> {
        &self.matrix
    }

    /// Opens the rows at `indices` (any order, repeats allowed): returns the rows, in the
    /// order of `indices`, and one proof for all of them. Panics on an out-of-range index
    /// (a prover bug).
    pub fn open_batch(&self, indices: &[usize]) -> (Vec<Vec<BabyBear>>, MultiProof) {
        let h = self.matrix.height();
        let rows = indices
            .iter()
            .map(|&i| {
                assert!(i < h, "opening index {i} out of range");
                self.matrix.row(i).to_vec()
            })
            .collect();
        let mut known: Vec<usize> = indices.to_vec();
        known.sort_unstable();
        known.dedup();
        let mut siblings = Vec::new();
        for layer in &self.layers[..self.layers.len() - 1] {
            let mut next = Vec::with_capacity(known.len());
            let mut k = 0;
            while k < known.len() {
                let i = known[k];
                if i & 1 == 0 && known.get(k + 1) == Some(&(i + 1)) {
                    k += 2; // both children known: nothing to send
                } else {
                    siblings.push(layer[i ^ 1]);
                    k += 1;
                }
                next.push(i >> 1);
            }
            known = next;
        }
        (rows, MultiProof { siblings })
    }
}

/// Checks that `rows` are the rows at `indices` of a `2^log_height × width` matrix committed
/// to by `root`.
pub fn verify_batch(
    root: &Digest,
    log_height: u32,
    width: usize,
    indices: &[usize],
    rows: &[Vec<BabyBear>],
    proof: &MultiProof,
) -> Result<(), MerkleError> {
    if indices.is_empty() {
        return Err(MerkleError::NoIndices);
    }
    if log_height >= usize::BITS {
        return Err(MerkleError::HeightTooLarge(log_height));
    }
    if rows.len() != indices.len() {
        return Err(MerkleError::RowCountMismatch {
            rows: rows.len(),
            indices: indices.len(),
        });
    }
    let height = 1usize << log_height;
    let mut leaves: Vec<(usize, &[BabyBear])> = Vec::with_capacity(indices.len());
    for (&index, row) in indices.iter().zip(rows) {
        if index >= height {
            return Err(MerkleError::IndexOutOfRange { index, height });
        }
        if row.len() != width {
            return Err(MerkleError::RowWidthMismatch {
                index,
                got: row.len(),
                expected: width,
            });
        }
        leaves.push((index, row));
    }
    leaves.sort_unstable_by_key(|l| l.0);
    let mut nodes: Vec<(usize, Digest)> = Vec::with_capacity(leaves.len());
    for (k, &(index, row)) in leaves.iter().enumerate() {
        if k > 0 && leaves[k - 1].0 == index {
            if leaves[k - 1].1 != row {
                return Err(MerkleError::ConflictingRows(index));
            }
            continue;
        }
        nodes.push((index, hash_leaf(row)));
    }
    let mut sib = proof.siblings.iter();
    for _ in 0..log_height {
        let mut next = Vec::with_capacity(nodes.len());
        let mut k = 0;
        while k < nodes.len() {
            let (i, d) = nodes[k];
            let (left, right) = match nodes.get(k + 1) {
                Some(&(j, e)) if i & 1 == 0 && j == i + 1 => {
                    k += 2;
                    (d, e)
                }
                _ => {
                    let s = *sib.next().ok_or(MerkleError::MissingSiblings)?;
                    k += 1;
                    if i & 1 == 0 {
                        (d, s)
                    } else {
                        (s, d)
                    }
                }
            };
            next.push((i >> 1, hash_node(&left, &right)));
        }
        nodes = next;
    }
    let extra = sib.count();
    if extra > 0 {
        return Err(MerkleError::ExtraSiblings(extra));
    }
    // Distinct in-range indices always merge into exactly one node at the top.
    if nodes.len() == 1 && nodes[0].1 == *root {
        Ok(())
    } else {
        Err(MerkleError::RootMismatch)
    }
}

#[cfg(test)]
mod tests;
