//! Mixed-matrix commitment: one SHA-256 Merkle tree over several matrices whose heights are
//! different powers of two.
//!
//! The tree has one leaf per row of the tallest matrices. A shorter matrix of height h is
//! "injected" at the tree level that has h nodes: there, each node becomes
//! `node(node, leaf_hash(rows of the height-h matrices))`. Opening index `i` reveals row
//! `i >> (log2 H − log2 h)` of every matrix and one sibling per level, so tables of different
//! heights cost one authentication path, not one each. The STARK commits all of its tables'
//! traces (and later their auxiliary and quotient columns) this way. Spec: `docs/stark.md`
//! ("Commitments").
//!
//! A **hiding** (salted) commitment adds, for every distinct height, a matrix of
//! [`SALT_WIDTH`] uniformly random columns drawn from the prover's [`ProverRng`]; its row is
//! hashed after the rows of that height, so a leaf digest (a Merkle sibling) says nothing
//! about the rows behind it. An opening reveals the salt rows it needs, separately from the
//! data rows.
//!
//! Hashes (ARCHITECTURE.md contract 4):
//! * leaf: SHA-256 (FIPS 180-4, with padding) of the rows' canonical u32 words, little-endian,
//!   matrices in commitment order, then the salt row of that height (if salted);
//! * node: one raw SHA-256 compression of `left ‖ right` (64 bytes) from the standard IV,
//!   no padding block; the digest is the eight state words big-endian.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;

use crate::field::{BabyBear, BabyBearExt4, ExtensionField, PrimeField32};
use crate::matrix::RowMajorMatrix;
use crate::merkle::{hash_layer, hash_leaf, hash_leaves, zeroed_digests};
use crate::offload::Offload;

pub use crate::merkle::{hash_node, Digest};

/// Salt elements per leaf and height of a hiding commitment: five uniform base elements,
/// 5·log₂p ≈ 154 bits, so a leaf digest cannot be searched for its rows.
pub const SALT_WIDTH: usize = 5;

/// The prover's private randomness (zero-knowledge blinding and salts): ChaCha20 keyed by a
/// 32-byte seed, so a proof can be reproduced exactly from its seed. Never part of the
/// transcript.
#[derive(Clone, Debug)]
pub struct ProverRng(ChaCha20Rng);

/// Rows per independently seeded block of [`ProverRng::matrix`]: fixed, so the output does
/// not depend on the number of threads.
const RNG_BLOCK_ROWS: usize = 1024;

/// A uniform base element by rejection sampling on 31-bit words.
fn uniform_base(rng: &mut ChaCha20Rng) -> BabyBear {
    loop {
        if let Some(x) = BabyBear::try_from_canonical(rng.next_u32() & 0x7fff_ffff) {
            return x;
        }
    }
}

impl ProverRng {
    /// A generator for a small seed (tests): hiding needs [`ProverRng::from_key`] with a
    /// secret 32-byte key.
    pub fn new(seed: u64) -> Self {
        ProverRng(ChaCha20Rng::seed_from_u64(seed))
    }

    /// The generator whose ChaCha20 key is `key`.
    pub fn from_key(key: [u8; 32]) -> Self {
        ProverRng(ChaCha20Rng::from_seed(key))
    }

    /// A uniformly random base element.
    pub fn base(&mut self) -> BabyBear {
        uniform_base(&mut self.0)
    }

    /// A uniformly random extension element.
    pub fn ext(&mut self) -> BabyBearExt4 {
        let c = [self.base(), self.base(), self.base(), self.base()];
        BabyBearExt4::from_base_slice(&c)
    }

    /// An independent generator keyed by fresh output of this one.
    pub fn fork(&mut self) -> ProverRng {
        let mut key = [0u8; 32];
        self.0.fill_bytes(&mut key);
        ProverRng(ChaCha20Rng::from_seed(key))
    }

    /// A `height × width` matrix of uniform base elements, filled in parallel: block b of
    /// [`RNG_BLOCK_ROWS`] rows comes from stream b of a ChaCha20 keyed by this generator.
    pub fn matrix(&mut self, height: usize, width: usize) -> RowMajorMatrix<BabyBear> {
        let lazy = self.lazy_matrix(height, width);
        lazy.rows(0, height)
    }

    /// The matrix [`ProverRng::matrix`] would draw (the generator advances the same way),
    /// kept as its key: any run of its rows can be regenerated later without storing it.
    pub fn lazy_matrix(&mut self, height: usize, width: usize) -> LazyMatrix {
        let mut key = [0u8; 32];
        self.0.fill_bytes(&mut key);
        LazyMatrix { key, height, width }
    }
}

/// A random matrix kept as the key it is generated from (see [`ProverRng::lazy_matrix`]).
#[derive(Clone, Debug)]
pub struct LazyMatrix {
    key: [u8; 32],
    height: usize,
    width: usize,
}

impl LazyMatrix {
    /// Height of the whole matrix.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Rows `start .. start + len` of the matrix.
    pub fn rows(&self, start: usize, len: usize) -> RowMajorMatrix<BabyBear> {
        assert!(start + len <= self.height, "LazyMatrix::rows out of range");
        let w = self.width;
        let mut values = vec![BabyBear::default(); len * w];
        // Whole generator blocks overlapping the range, each from its own stream.
        let first = start / RNG_BLOCK_ROWS;
        let last = (start + len).div_ceil(RNG_BLOCK_ROWS);
        let per_block: Vec<(usize, &mut [BabyBear])> = {
            let mut out = Vec::new();
            let mut rest = &mut values[..];
            for b in first..last {
                let lo = (b * RNG_BLOCK_ROWS).max(start);
                let hi = ((b + 1) * RNG_BLOCK_ROWS).min(start + len);
                let (head, tail) = rest.split_at_mut((hi - lo) * w);
                out.push((b, head));
                rest = tail;
            }
            out
        };
        per_block.into_par_iter().for_each(|(b, chunk)| {
            let mut rng = ChaCha20Rng::from_seed(self.key);
            rng.set_stream(b as u64);
            let skip = (b * RNG_BLOCK_ROWS).max(start) - b * RNG_BLOCK_ROWS;
            for _ in 0..skip * w {
                uniform_base(&mut rng);
            }
            chunk.iter_mut().for_each(|x| *x = uniform_base(&mut rng));
        });
        RowMajorMatrix::new(values, w)
    }
}

/// The leaf hash of some rows (one per matrix of the same height): the row hash of their
/// concatenation.
pub fn hash_rows<'a>(rows: impl IntoIterator<Item = &'a [BabyBear]>) -> Digest {
    let joined: Vec<BabyBear> = rows.into_iter().flatten().copied().collect();
    hash_leaf(&joined)
}

/// Leaf hashes of every row of the matrices `ms` (all of one height), concatenated per row
/// and followed by that height's salt row, if any.
fn hash_group(
    matrices: &[RowMajorMatrix<BabyBear>],
    ms: &[usize],
    salt: Option<&RowMajorMatrix<BabyBear>>,
    height: usize,
) -> Vec<Digest> {
    let mut out = zeroed_digests(height);
    let parts: Vec<&RowMajorMatrix<BabyBear>> =
        ms.iter().map(|&m| &matrices[m]).chain(salt).collect();
    if let [m] = parts[..] {
        hash_leaves(m, &mut out);
        return out;
    }
    // Join the rows a block at a time (cache-sized, in parallel) rather than copying whole
    // matrices: the blocks' hashes are the same.
    const ROWS: usize = 128;
    let width: usize = parts.iter().map(|m| m.width).sum();
    out.par_chunks_mut(ROWS)
        .enumerate()
        .for_each_init(Vec::new, |buf, (b, o)| {
            buf.clear();
            for r in b * ROWS..b * ROWS + o.len() {
                for m in &parts {
                    buf.extend_from_slice(m.row(r));
                }
            }
            let joined = RowMajorMatrix::new(std::mem::take(buf), width);
            hash_leaves(&joined, o);
            *buf = joined.values;
        });
    out
}

/// The shape of a committed matrix, as the verifier knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    /// Number of columns.
    pub width: usize,
    /// Number of rows (a power of two).
    pub height: usize,
}

/// What the prover keeps of a commitment: the matrices, the salts and every tree level.
#[derive(Debug)]
pub struct MmcsData {
    /// The committed matrices, in commitment order.
    pub matrices: Vec<RowMajorMatrix<BabyBear>>,
    /// Salt matrices (hiding commitments only): one per distinct height, tallest first.
    pub salts: Vec<RowMajorMatrix<BabyBear>>,
    /// `levels[0]` are the leaves (one per row of the tallest matrices); the last is the root.
    levels: Vec<Vec<Digest>>,
}

impl MmcsData {
    /// The root.
    pub fn root(&self) -> Digest {
        self.levels.last().unwrap()[0]
    }

    /// Height of the tallest matrix.
    pub fn max_height(&self) -> usize {
        self.levels[0].len()
    }

    /// Shapes of the committed matrices.
    pub fn dims(&self) -> Vec<Dims> {
        self.matrices
            .iter()
            .map(|m| Dims {
                width: m.width,
                height: m.height(),
            })
            .collect()
    }
}

/// An opening of index `i`: one row per matrix, the salt rows and the sibling path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    /// Row of each matrix, in commitment order.
    pub rows: Vec<Vec<BabyBear>>,
    /// Salt row of each distinct height, tallest first (empty unless the commitment hides).
    pub salts: Vec<Vec<BabyBear>>,
    /// Sibling digests from the leaf level up.
    pub siblings: Vec<Digest>,
}

/// Why an opening does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MmcsError {
    /// The shapes are not powers of two, or the opening has the wrong number of rows.
    #[error("opening shape: {0}")]
    Shape(String),
    /// The index is outside the tallest matrix.
    #[error("index {index} outside height {height}")]
    Index {
        /// The index.
        index: usize,
        /// Height of the tallest matrix.
        height: usize,
    },
    /// The recomputed root differs.
    #[error("Merkle root mismatch")]
    RootMismatch,
}

/// Matrices of each height, tallest first: (height, indices into `dims`).
fn height_groups(dims: &[Dims]) -> Vec<(usize, Vec<usize>)> {
    let mut heights: Vec<usize> = dims.iter().map(|d| d.height).collect();
    heights.sort_unstable_by(|a, b| b.cmp(a));
    heights.dedup();
    heights
        .into_iter()
        .map(|h| {
            let idx = dims
                .iter()
                .enumerate()
                .filter(|(_, d)| d.height == h)
                .map(|(i, _)| i)
                .collect();
            (h, idx)
        })
        .collect()
}

/// Commit to matrices (each height a power of two, at least one matrix).
pub fn commit(matrices: Vec<RowMajorMatrix<BabyBear>>) -> MmcsData {
    commit_salted(matrices, None)
}

/// Commit to matrices; with a generator, hiding: every distinct height gets a salt matrix of
/// [`SALT_WIDTH`] random columns.
pub fn commit_salted(
    matrices: Vec<RowMajorMatrix<BabyBear>>,
    rng: Option<&mut ProverRng>,
) -> MmcsData {
    commit_salted_with(matrices, rng, None)
}

/// [`commit_salted`], sending the node compressions `offload` grants to its device (the
/// tree is the same).
pub fn commit_salted_with(
    matrices: Vec<RowMajorMatrix<BabyBear>>,
    rng: Option<&mut ProverRng>,
    offload: Option<&Offload>,
) -> MmcsData {
    assert!(!matrices.is_empty(), "mmcs::commit: no matrices");
    let dims: Vec<Dims> = matrices
        .iter()
        .map(|m| Dims {
            width: m.width,
            height: m.height(),
        })
        .collect();
    for d in &dims {
        assert!(
            d.height.is_power_of_two(),
            "mmcs::commit: height {} not a power of two",
            d.height
        );
    }
    let groups = height_groups(&dims);
    let salts: Vec<RowMajorMatrix<BabyBear>> = match rng {
        Some(rng) => groups
            .iter()
            .map(|(h, _)| rng.matrix(*h, SALT_WIDTH))
            .collect(),
        None => Vec::new(),
    };
    let levels = build_levels(&matrices, &groups, &salts, offload);
    MmcsData {
        matrices,
        salts,
        levels,
    }
}

/// Every level of the tree over `matrices` (grouped by height as `groups`), with one salt
/// matrix per group (or none); the node compressions `offload` grants go to its device.
fn build_levels(
    matrices: &[RowMajorMatrix<BabyBear>],
    groups: &[(usize, Vec<usize>)],
    salts: &[RowMajorMatrix<BabyBear>],
    offload: Option<&Offload>,
) -> Vec<Vec<Digest>> {
    let salt_of = |g: usize| salts.get(g);
    let (max_h, first) = &groups[0];
    let mut levels = vec![hash_group(matrices, first, salt_of(0), *max_h)];
    let mut groups_iter = groups.iter().enumerate().skip(1).peekable();
    while levels.last().unwrap().len() > 1 {
        let prev = levels.last().unwrap();
        let n = prev.len() / 2;
        let mut next = zeroed_digests(n);
        let done = offload.map_or(0, |o| o.hash_nodes(prev, &mut next));
        hash_layer(&prev[2 * done..], &mut next[done..]);
        if let Some((g, (h, ms))) = groups_iter.next_if(|(_, (h, _))| *h == n) {
            let injected = hash_group(matrices, ms, salt_of(g), *h);
            next.par_iter_mut()
                .zip(injected.par_iter())
                .for_each(|(node, leaf)| *node = hash_node(node, leaf));
        }
        levels.push(next);
    }
    // A height-1 matrix beside taller ones is injected at the root level.
    if let Some((g, (1, ms))) = groups_iter.next() {
        let root = levels.last_mut().unwrap();
        let rows = ms
            .iter()
            .map(|&m| matrices[m].row(0))
            .chain(salt_of(g).map(|s| s.row(0)));
        root[0] = hash_node(&root[0], &hash_rows(rows));
    }
    levels
}

/// A commitment whose matrices are not kept (see [`commit_streamed`]): the tree is cut into
/// `blocks` equal subtrees, each over the same run of rows of every matrix (block c holds
/// rows `c·h/blocks ..` of a matrix of height h), and only the levels above the subtrees'
/// roots are stored. Openings regenerate their block's rows and subtree.
#[derive(Debug)]
pub struct StreamedTree {
    dims: Vec<Dims>,
    groups: Vec<(usize, Vec<usize>)>,
    blocks: usize,
    salts: Vec<LazyMatrix>,
    /// `top[0]` are the subtree roots; the last is the root.
    top: Vec<Vec<Digest>>,
}

impl StreamedTree {
    /// The root.
    pub fn root(&self) -> Digest {
        self.top.last().unwrap()[0]
    }

    /// Height of the tallest matrix.
    pub fn max_height(&self) -> usize {
        self.groups[0].0
    }

    /// Shapes of the committed matrices.
    pub fn dims(&self) -> &[Dims] {
        &self.dims
    }

    /// The block of the tallest matrices' row `index`.
    pub fn block_of(&self, index: usize) -> usize {
        index / (self.max_height() / self.blocks)
    }

    /// The salt rows of block `c`, one matrix per height group.
    fn block_salts(&self, c: usize) -> Vec<RowMajorMatrix<BabyBear>> {
        self.groups
            .iter()
            .zip(&self.salts)
            .map(|((h, _), s)| {
                let len = h / self.blocks;
                s.rows(c * len, len)
            })
            .collect()
    }

    /// Open the indices `indices` (of the tallest matrices) that lie in block `c`, given that
    /// block's rows (as `produce(c)` gave them to [`commit_streamed`]).
    pub fn open_block(
        &self,
        c: usize,
        block: &[RowMajorMatrix<BabyBear>],
        indices: &[usize],
    ) -> Vec<Opening> {
        let salts = self.block_salts(c);
        let block_groups: Vec<(usize, Vec<usize>)> = self
            .groups
            .iter()
            .map(|(h, ms)| (h / self.blocks, ms.clone()))
            .collect();
        let levels = build_levels(block, &block_groups, &salts, None);
        let max_h = self.max_height();
        let bh = max_h / self.blocks;
        indices
            .iter()
            .map(|&index| {
                assert_eq!(self.block_of(index), c, "index {index} is not in block {c}");
                let row_of = |m: &RowMajorMatrix<BabyBear>, h: usize| {
                    let shift = (max_h / h).trailing_zeros();
                    let local = (index >> shift) - c * (h / self.blocks);
                    m.row(local).to_vec()
                };
                let rows = block
                    .iter()
                    .zip(&self.dims)
                    .map(|(m, d)| row_of(m, d.height))
                    .collect();
                let salts = salts
                    .iter()
                    .zip(&self.groups)
                    .map(|(s, (h, _))| row_of(s, *h))
                    .collect();
                let local = index - c * bh;
                let siblings = (0..levels.len() - 1)
                    .map(|l| levels[l][(local >> l) ^ 1])
                    .chain((0..self.top.len() - 1).map(|l| self.top[l][(c >> l) ^ 1]))
                    .collect();
                Opening {
                    rows,
                    salts,
                    siblings,
                }
            })
            .collect()
    }
}

/// Commit to matrices of shapes `dims` without holding them: `produce(c)` returns block `c`
/// (of `blocks`) of every matrix, in order — rows `c·h/blocks .. (c+1)·h/blocks` of a matrix
/// of height h. The root (and, with the same generator, the salts) equal those of
/// [`commit_salted`] of the whole matrices. Every height must be at least `blocks`. The node
/// compressions `offload` grants go to its device.
pub fn commit_streamed(
    dims: Vec<Dims>,
    blocks: usize,
    rng: Option<&mut ProverRng>,
    offload: Option<&Offload>,
    mut produce: impl FnMut(usize) -> Vec<RowMajorMatrix<BabyBear>>,
) -> StreamedTree {
    assert!(!dims.is_empty(), "mmcs::commit_streamed: no matrices");
    assert!(
        blocks.is_power_of_two(),
        "block count must be a power of two"
    );
    for d in &dims {
        assert!(
            d.height.is_power_of_two() && d.height >= blocks,
            "mmcs::commit_streamed: height {} for {blocks} blocks",
            d.height
        );
    }
    let groups = height_groups(&dims);
    let salts: Vec<LazyMatrix> = match rng {
        Some(rng) => groups
            .iter()
            .map(|(h, _)| rng.lazy_matrix(*h, SALT_WIDTH))
            .collect(),
        None => Vec::new(),
    };
    let mut tree = StreamedTree {
        dims,
        groups,
        blocks,
        salts,
        top: Vec::new(),
    };
    let block_groups: Vec<(usize, Vec<usize>)> = tree
        .groups
        .iter()
        .map(|(h, ms)| (h / blocks, ms.clone()))
        .collect();
    let mut roots = Vec::with_capacity(blocks);
    for c in 0..blocks {
        let block = produce(c);
        assert_eq!(
            block.len(),
            tree.dims.len(),
            "block {c}: wrong matrix count"
        );
        for (m, d) in block.iter().zip(&tree.dims) {
            assert_eq!((m.width, m.height()), (d.width, d.height / blocks));
        }
        let salts = tree.block_salts(c);
        let levels = build_levels(&block, &block_groups, &salts, offload);
        roots.push(levels.last().unwrap()[0]);
    }
    let mut top = vec![roots];
    while top.last().unwrap().len() > 1 {
        let prev = top.last().unwrap();
        let mut next = zeroed_digests(prev.len() / 2);
        hash_layer(prev, &mut next);
        top.push(next);
    }
    tree.top = top;
    tree
}

/// Open index `index` of the tallest matrices.
pub fn open(data: &MmcsData, index: usize) -> Opening {
    let max_h = data.max_height();
    assert!(index < max_h);
    let row_of = |m: &RowMajorMatrix<BabyBear>| {
        let shift = (max_h / m.height()).trailing_zeros();
        m.row(index >> shift).to_vec()
    };
    let rows = data.matrices.iter().map(row_of).collect();
    let salts = data.salts.iter().map(row_of).collect();
    let siblings = (0..data.levels.len() - 1)
        .map(|l| data.levels[l][(index >> l) ^ 1])
        .collect();
    Opening {
        rows,
        salts,
        siblings,
    }
}

/// Verify an opening of `index` against `root` for matrices of shapes `dims` (an unsalted
/// commitment).
pub fn verify(
    root: &Digest,
    dims: &[Dims],
    index: usize,
    opening: &Opening,
) -> Result<(), MmcsError> {
    verify_salted(root, dims, false, index, opening)
}

/// Verify an opening of `index` against `root` for matrices of shapes `dims`; `salted` says
/// whether the commitment hides (then the opening must carry one salt row of
/// [`SALT_WIDTH`] per distinct height, else none).
pub fn verify_salted(
    root: &Digest,
    dims: &[Dims],
    salted: bool,
    index: usize,
    opening: &Opening,
) -> Result<(), MmcsError> {
    if dims.is_empty() {
        return Err(MmcsError::Shape("no matrices".into()));
    }
    if let Some(d) = dims.iter().find(|d| !d.height.is_power_of_two()) {
        return Err(MmcsError::Shape(format!(
            "height {} is not a power of two",
            d.height
        )));
    }
    if opening.rows.len() != dims.len() {
        return Err(MmcsError::Shape(format!(
            "{} rows for {} matrices",
            opening.rows.len(),
            dims.len()
        )));
    }
    for (i, (row, d)) in opening.rows.iter().zip(dims).enumerate() {
        if row.len() != d.width {
            return Err(MmcsError::Shape(format!(
                "row of matrix {i} has {} values, width is {}",
                row.len(),
                d.width
            )));
        }
    }
    let groups = height_groups(dims);
    let want_salts = if salted { groups.len() } else { 0 };
    if opening.salts.len() != want_salts || opening.salts.iter().any(|s| s.len() != SALT_WIDTH) {
        return Err(MmcsError::Shape(format!(
            "{} salt rows, expected {want_salts} of {SALT_WIDTH} values",
            opening.salts.len()
        )));
    }
    let max_h = groups[0].0;
    let log_h = max_h.trailing_zeros() as usize;
    if index >= max_h {
        return Err(MmcsError::Index {
            index,
            height: max_h,
        });
    }
    if opening.siblings.len() != log_h {
        return Err(MmcsError::Shape(format!(
            "{} siblings for a tree of height {log_h}",
            opening.siblings.len()
        )));
    }
    let rows_of = |g: usize, ms: &[usize]| {
        hash_rows(
            ms.iter()
                .map(|&m| opening.rows[m].as_slice())
                .chain(opening.salts.get(g).map(|s| s.as_slice())),
        )
    };
    let mut node = rows_of(0, &groups[0].1);
    let mut rest = groups.iter().enumerate().skip(1).peekable();
    for (l, sib) in opening.siblings.iter().enumerate() {
        let pos = index >> l;
        node = if pos & 1 == 0 {
            hash_node(&node, sib)
        } else {
            hash_node(sib, &node)
        };
        let n = max_h >> (l + 1);
        if let Some((g, (_, ms))) = rest.next_if(|(_, (h, _))| *h == n) {
            node = hash_node(&node, &rows_of(g, ms));
        }
    }
    if let Some((g, (1, ms))) = rest.next() {
        node = hash_node(&node, &rows_of(g, ms));
    }
    if node == *root {
        Ok(())
    } else {
        Err(MmcsError::RootMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;

    fn mat(height: usize, width: usize, seed: u32) -> RowMajorMatrix<BabyBear> {
        RowMajorMatrix::from_fn(height, width, |r, c| {
            BabyBear::new((r as u32).wrapping_mul(7919) ^ (c as u32 * 31) ^ seed)
        })
    }

    #[test]
    fn node_hash_is_one_raw_compression() {
        use sha2::{Digest as _, Sha256};
        // SHA-256 of the empty message is a compression of the padding block from the IV;
        // the same 64 bytes through hash_node must give the same digest.
        let mut block = [0u8; 64];
        block[0] = 0x80;
        let left: Digest = block[..32].try_into().unwrap();
        let right: Digest = block[32..].try_into().unwrap();
        let want: Digest = Sha256::digest(b"").into();
        assert_eq!(hash_node(&left, &right), want);
    }

    #[test]
    fn mixed_heights_open_and_verify() {
        let mats = vec![
            mat(16, 3, 1),
            mat(4, 2, 2),
            mat(16, 1, 3),
            mat(1, 5, 4),
            mat(8, 4, 5),
        ];
        let data = commit(mats.clone());
        let dims = data.dims();
        for i in 0..16 {
            let o = open(&data, i);
            assert_eq!(o.rows[1], mats[1].row(i >> 2));
            assert_eq!(o.rows[3], mats[3].row(0));
            assert_eq!(o.rows[4], mats[4].row(i >> 1));
            verify(&data.root(), &dims, i, &o).unwrap();
        }
    }

    #[test]
    fn tampering_is_caught() {
        let data = commit(vec![mat(8, 2, 1), mat(2, 3, 2)]);
        let dims = data.dims();
        let root = data.root();
        let good = open(&data, 5);
        for m in 0..2 {
            for c in 0..dims[m].width {
                let mut o = good.clone();
                o.rows[m][c] += BabyBear::ONE;
                assert_eq!(verify(&root, &dims, 5, &o), Err(MmcsError::RootMismatch));
            }
        }
        for s in 0..good.siblings.len() {
            let mut o = good.clone();
            o.siblings[s][0] ^= 1;
            assert_eq!(verify(&root, &dims, 5, &o), Err(MmcsError::RootMismatch));
        }
        // Right rows, wrong index.
        assert_eq!(verify(&root, &dims, 4, &good), Err(MmcsError::RootMismatch));
        assert!(matches!(
            verify(&root, &dims, 8, &good),
            Err(MmcsError::Index { .. })
        ));
        let mut o = good.clone();
        o.siblings.pop();
        assert!(matches!(
            verify(&root, &dims, 5, &o),
            Err(MmcsError::Shape(_))
        ));
        let mut o = good.clone();
        o.rows[1].push(BabyBear::ZERO);
        assert!(matches!(
            verify(&root, &dims, 5, &o),
            Err(MmcsError::Shape(_))
        ));
        let mut o = good;
        o.rows.pop();
        assert!(matches!(
            verify(&root, &dims, 5, &o),
            Err(MmcsError::Shape(_))
        ));
        // A verifier told other shapes rejects.
        let other = [
            Dims {
                width: 2,
                height: 8,
            },
            Dims {
                width: 3,
                height: 4,
            },
        ];
        assert!(verify(&root, &other, 5, &open(&data, 5)).is_err());
    }

    #[test]
    fn single_matrix_height_one() {
        let data = commit(vec![mat(1, 4, 9)]);
        let o = open(&data, 0);
        assert!(o.siblings.is_empty());
        verify(&data.root(), &data.dims(), 0, &o).unwrap();
    }

    #[test]
    fn salted_commitments_open_verify_and_hide() {
        let mats = vec![mat(16, 3, 1), mat(4, 2, 2), mat(16, 1, 3), mat(1, 5, 4)];
        let a = commit_salted(mats.clone(), Some(&mut ProverRng::new(7)));
        let b = commit_salted(mats.clone(), Some(&mut ProverRng::new(7)));
        let c = commit_salted(mats.clone(), Some(&mut ProverRng::new(8)));
        // Same seed, same root; another seed (or none) gives another root for the same data.
        assert_eq!(a.root(), b.root());
        assert_ne!(a.root(), c.root());
        assert_ne!(a.root(), commit(mats.clone()).root());
        // One salt matrix per distinct height (16, 4, 1), tallest first.
        let heights: Vec<usize> = a.salts.iter().map(|s| s.height()).collect();
        assert_eq!(heights, [16, 4, 1]);
        assert!(a.salts.iter().all(|s| s.width == SALT_WIDTH));
        // Every row's salt differs from every other row's.
        let rows: std::collections::HashSet<&[BabyBear]> = a.salts[0].rows().collect();
        assert_eq!(rows.len(), 16);
        let dims = a.dims();
        for i in 0..16 {
            let o = open(&a, i);
            assert_eq!(o.salts.len(), 3);
            assert_eq!(o.salts[1], a.salts[1].row(i >> 2));
            verify_salted(&a.root(), &dims, true, i, &o).unwrap();
            // Read as unsalted, or with a changed salt, it does not verify.
            assert!(matches!(
                verify(&a.root(), &dims, i, &o),
                Err(MmcsError::Shape(_))
            ));
            for s in 0..3 {
                let mut t = o.clone();
                t.salts[s][i % SALT_WIDTH] += BabyBear::ONE;
                assert_eq!(
                    verify_salted(&a.root(), &dims, true, i, &t),
                    Err(MmcsError::RootMismatch)
                );
            }
            let mut t = o.clone();
            t.salts[2].pop();
            assert!(verify_salted(&a.root(), &dims, true, i, &t).is_err());
            let mut t = o;
            t.salts.pop();
            assert!(verify_salted(&a.root(), &dims, true, i, &t).is_err());
        }
        // An unsalted opening is not accepted where salts are expected.
        let plain = commit(mats);
        assert!(verify_salted(&plain.root(), &dims, true, 3, &open(&plain, 3)).is_err());
    }

    #[test]
    fn streamed_commitments_equal_whole_ones() {
        let mats = vec![mat(64, 3, 1), mat(16, 2, 2), mat(64, 1, 3), mat(8, 5, 4)];
        let dims: Vec<Dims> = mats
            .iter()
            .map(|m| Dims {
                width: m.width,
                height: m.height(),
            })
            .collect();
        let block = |c: usize, blocks: usize| -> Vec<RowMajorMatrix<BabyBear>> {
            mats.iter()
                .map(|m| {
                    let h = m.height() / blocks;
                    RowMajorMatrix::new(
                        m.values[c * h * m.width..(c + 1) * h * m.width].to_vec(),
                        m.width,
                    )
                })
                .collect()
        };
        for salted in [false, true] {
            let rng = |s: u64| salted.then(|| ProverRng::new(s));
            let whole = commit_salted(mats.clone(), rng(5).as_mut());
            for blocks in [1, 2, 8] {
                let tree = commit_streamed(dims.clone(), blocks, rng(5).as_mut(), None, |c| {
                    block(c, blocks)
                });
                assert_eq!(tree.root(), whole.root());
                for i in 0..64 {
                    let c = tree.block_of(i);
                    let o = tree.open_block(c, &block(c, blocks), &[i]).remove(0);
                    assert_eq!(o, open(&whole, i));
                    verify_salted(&whole.root(), &dims, salted, i, &o).unwrap();
                }
            }
        }
        // Regenerated salt rows are the drawn matrix's rows.
        let m = ProverRng::new(9).matrix(3000, 5);
        let lazy = ProverRng::new(9).lazy_matrix(3000, 5);
        assert_eq!(lazy.rows(1000, 1100).values, m.values[5000..10500]);
    }

    #[test]
    fn prover_rng_is_reproducible_and_uniform() {
        let m = ProverRng::new(1).matrix(3000, 3);
        assert_eq!(m, ProverRng::new(1).matrix(3000, 3));
        assert_ne!(m, ProverRng::new(2).matrix(3000, 3));
        // Blocks use distinct streams: no two rows repeat.
        let rows: std::collections::HashSet<&[BabyBear]> = m.rows().collect();
        assert_eq!(rows.len(), 3000);
        let high = m
            .values
            .iter()
            .filter(|x| x.as_canonical() >= BabyBear::ORDER_U32 / 2)
            .count();
        assert!((4_200..4_800).contains(&high), "{high}");
        // A fork is independent of what its parent draws next.
        let mut r = ProverRng::new(3);
        let mut f = r.fork();
        assert_ne!(r.ext(), f.ext());
    }
}
