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
//! A **hiding** (salted) commitment adds one matrix of [`SALT_WIDTH`] uniformly random
//! columns, as tall as the tallest matrices, drawn from the prover's [`ProverRng`]; its row is
//! hashed after the rows of the tallest height. Every digest a verifier can be sent (a
//! Merkle sibling) is computed over at least one such salted leaf, so none says anything
//! about the rows behind it, the shorter matrices' rows included: those only ever enter a
//! node together with a digest of salted leaves below it. An opening reveals its leaf's salt
//! row, separately from the data rows.
//!
//! Hashes (ARCHITECTURE.md contract 4):
//! * leaf: SHA-256 (FIPS 180-4, with padding) of the rows' canonical u32 words, little-endian,
//!   matrices in commitment order, then (tallest height, if salted) the salt row;
//! * node: one raw SHA-256 compression of `left ‖ right` (64 bytes) from the standard IV,
//!   no padding block; the digest is the eight state words big-endian.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;

use crate::field::{BabyBear, BabyBearExt4, ExtensionField, PrimeField32};
use crate::matrix::RowMajorMatrix;
use crate::merkle::{hash_layer, hash_leaf, hash_leaves_joined, zeroed_digests};
use crate::offload::Offload;

pub use crate::merkle::{hash_node, Digest};

/// Salt elements per leaf of a hiding commitment: five uniform base elements,
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
    hash_leaves_joined(&parts, &mut out);
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

impl Dims {
    /// The shape of `m`.
    pub fn of(m: &RowMajorMatrix<BabyBear>) -> Self {
        Dims {
            width: m.width,
            height: m.height(),
        }
    }
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
        self.matrices.iter().map(Dims::of).collect()
    }
}

/// An opening of index `i`: one row per matrix, the salt rows and the sibling path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    /// Row of each matrix, in commitment order.
    pub rows: Vec<Vec<BabyBear>>,
    /// The salt row (one if the commitment hides, else none).
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

/// Commit to matrices; with a generator, hiding: a salt matrix of [`SALT_WIDTH`] random
/// columns and the tallest matrices' height is hashed into every leaf.
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
    let dims: Vec<Dims> = matrices.iter().map(Dims::of).collect();
    for d in &dims {
        assert!(
            d.height.is_power_of_two(),
            "mmcs::commit: height {} not a power of two",
            d.height
        );
    }
    let groups = height_groups(&dims);
    let salts: Vec<RowMajorMatrix<BabyBear>> = match rng {
        Some(rng) => vec![rng.matrix(groups[0].0, SALT_WIDTH)],
        None => Vec::new(),
    };
    let levels = build_levels(&matrices, &groups, &salts, offload);
    MmcsData {
        matrices,
        salts,
        levels,
    }
}

/// Every level of the tree over `matrices` (grouped by height as `groups`), with the salt
/// matrix of the tallest group (or none; `salts[g]` is hashed after group g's rows); the node compressions `offload` grants go to its device.
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
/// rows `c·h/blocks ..` of a matrix of height h), and only the levels from
/// [`StreamedTree::log_group`] up are stored: one digest per *group* of 2^log_group leaves.
/// Openings regenerate either their whole block ([`StreamedTree::open_batch`]) or only the
/// rows of their group ([`StreamedTree::open_batch_grouped`]).
#[derive(Debug)]
pub struct StreamedTree {
    dims: Vec<Dims>,
    groups: Vec<(usize, Vec<usize>)>,
    blocks: usize,
    log_group: usize,
    salts: Vec<LazyMatrix>,
    /// `upper[j]` is level `log_group + j` of the tree (level 0: the leaves); the last is
    /// the root.
    upper: Vec<Vec<Digest>>,
}

/// log₂ of the leaves under each digest a [`StreamedTree`] keeps (at most the blocks'
/// height). An opening rebuilds its group's 2^LOG_GROUP leaves from the polynomials, which
/// costs about the same for any small group (n multiply-adds per column and opened group),
/// while the kept levels take 2·32/2^LOG_GROUP bytes per leaf: 8 MiB for a tree of
/// 2^23 leaves at 6.
pub const LOG_GROUP: usize = 6;

impl StreamedTree {
    /// The root.
    pub fn root(&self) -> Digest {
        self.upper.last().unwrap()[0]
    }

    /// Height of the tallest matrix.
    pub fn max_height(&self) -> usize {
        self.groups[0].0
    }

    /// log₂ of the leaves under each kept digest: group g covers the tallest matrices' rows
    /// `g·2^log_group ..`.
    pub fn log_group(&self) -> usize {
        self.log_group
    }

    /// The rows of a matrix of height `height` (one of the committed heights) that the leaves
    /// of group `g` hold: 2^log_group·height/max_height of them, or the one row they share.
    pub fn group_rows(&self, height: usize, g: usize) -> std::ops::Range<usize> {
        let s = (self.max_height() / height).trailing_zeros() as usize;
        let k = self.log_group;
        if s <= k {
            (g << (k - s))..((g + 1) << (k - s))
        } else {
            let r = g >> (s - k);
            r..r + 1
        }
    }

    /// Shapes of the committed matrices.
    pub fn dims(&self) -> &[Dims] {
        &self.dims
    }

    /// The block of the tallest matrices' row `index`.
    pub fn block_of(&self, index: usize) -> usize {
        index / (self.max_height() / self.blocks)
    }

    /// The salt rows of block `c` (the tallest height's salt matrix, if salted).
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
}

/// Commit to matrices of shapes `dims` without holding them: `produce(c, spent)` returns
/// block `c` (of `blocks`) of every matrix, in order (`spent` is the block before, empty for
/// the first, whose storage it may reuse: fresh blocks of a wide trace cost more in page
/// faults than in hashing) — rows `c·h/blocks .. (c+1)·h/blocks` of a matrix
/// of height h. The root (and, with the same generator, the salts) equal those of
/// [`commit_salted`] of the whole matrices. Every height must be at least `blocks`. The node
/// compressions `offload` grants go to its device.
pub fn commit_streamed(
    dims: Vec<Dims>,
    blocks: usize,
    rng: Option<&mut ProverRng>,
    offload: Option<&Offload>,
    produce: impl FnMut(usize, Vec<RowMajorMatrix<BabyBear>>) -> Vec<RowMajorMatrix<BabyBear>>,
) -> StreamedTree {
    commit_streamed_keeping(dims, blocks, LOG_GROUP, rng, offload, produce)
}

/// [`commit_streamed`] keeping the levels from 2^`log_group` leaves up (at most the blocks'
/// height).
fn commit_streamed_keeping(
    dims: Vec<Dims>,
    blocks: usize,
    log_group: usize,
    rng: Option<&mut ProverRng>,
    offload: Option<&Offload>,
    mut produce: impl FnMut(usize, Vec<RowMajorMatrix<BabyBear>>) -> Vec<RowMajorMatrix<BabyBear>>,
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
        Some(rng) => vec![rng.lazy_matrix(groups[0].0, SALT_WIDTH)],
        None => Vec::new(),
    };
    let log_bh = (groups[0].0 / blocks).trailing_zeros() as usize;
    let log_group = log_group.min(log_bh);
    let mut tree = StreamedTree {
        dims,
        groups,
        blocks,
        log_group,
        salts,
        upper: Vec::new(),
    };
    let block_groups: Vec<(usize, Vec<usize>)> = tree
        .groups
        .iter()
        .map(|(h, ms)| (h / blocks, ms.clone()))
        .collect();
    // Levels log_group ..= log_bh of every block, side by side.
    let mut upper: Vec<Vec<Digest>> = (log_group..=log_bh)
        .map(|l| Vec::with_capacity(blocks << (log_bh - l)))
        .collect();
    let mut spent = Vec::new();
    for c in 0..blocks {
        let block = produce(c, std::mem::take(&mut spent));
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
        for (kept, level) in upper.iter_mut().zip(&levels[log_group..]) {
            kept.extend_from_slice(level);
        }
        spent = block;
    }
    while upper.last().unwrap().len() > 1 {
        let prev = upper.last().unwrap();
        let mut next = zeroed_digests(prev.len() / 2);
        hash_layer(prev, &mut next);
        upper.push(next);
    }
    tree.upper = upper;
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
/// [`SALT_WIDTH`], else none).
pub fn verify_salted(
    root: &Digest,
    dims: &[Dims],
    salted: bool,
    index: usize,
    opening: &Opening,
) -> Result<(), MmcsError> {
    check_dims(dims)?;
    check_row_shapes(dims, &opening.rows)?;
    let groups = height_groups(dims);
    let want_salts = usize::from(salted);
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

/// The rows one leaf of a batch opening reveals: one row per matrix and, if the commitment
/// hides, one salt row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeafOpening {
    /// Row of each matrix, in commitment order.
    pub rows: Vec<Vec<BabyBear>>,
    /// The salt row (one if the commitment hides, else none).
    pub salts: Vec<Vec<BabyBear>>,
}

/// The openings of several indices of one commitment with one pruned set of Merkle
/// siblings: each needed digest appears once, and none the verifier can compute from the
/// opened leaves and the other paths. Spec: `docs/stark.md` ("Commitments").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchOpening {
    /// One leaf per distinct index, in ascending index order.
    pub leaves: Vec<LeafOpening>,
    /// The siblings [`pruned_siblings`] lists for the distinct indices, in its order.
    pub siblings: Vec<Digest>,
}

/// The indices sorted, without repeats.
pub fn distinct_sorted(indices: &[usize]) -> Vec<usize> {
    let mut v = indices.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// The tree positions `(level, index)` of the siblings a batch opening of `indices`
/// (distinct, ascending, below `2^log_height`) must carry: level by level from the leaves
/// up, ascending within a level. A node's sibling is left out when it is itself on a path
/// (the other index of a pair), since the verifier computes it.
pub fn pruned_siblings(log_height: usize, indices: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut cur = indices.to_vec();
    for level in 0..log_height {
        let mut next = Vec::with_capacity(cur.len());
        let mut k = 0;
        while k < cur.len() {
            let i = cur[k];
            if cur.get(k + 1) == Some(&(i ^ 1)) {
                k += 2;
            } else {
                out.push((level, i ^ 1));
                k += 1;
            }
            next.push(i >> 1);
        }
        cur = next;
    }
    out
}

/// The leaf of index `index` (of the tallest matrices, height `max_h`) from matrices and
/// salts that hold rows `first_row(h) ..` of each height h.
fn leaf_from(
    matrices: &[RowMajorMatrix<BabyBear>],
    heights: impl Iterator<Item = usize>,
    salts: &[RowMajorMatrix<BabyBear>],
    salt_heights: impl Iterator<Item = usize>,
    max_h: usize,
    index: usize,
    first_row: impl Fn(usize) -> usize,
) -> LeafOpening {
    let row_of = |m: &RowMajorMatrix<BabyBear>, h: usize| {
        let shift = (max_h / h).trailing_zeros();
        m.row((index >> shift) - first_row(h)).to_vec()
    };
    LeafOpening {
        rows: matrices
            .iter()
            .zip(heights)
            .map(|(m, h)| row_of(m, h))
            .collect(),
        salts: salts
            .iter()
            .zip(salt_heights)
            .map(|(s, h)| row_of(s, h))
            .collect(),
    }
}

/// Open the indices `indices` (of the tallest matrices; any order, repeats allowed) as one
/// batch.
pub fn open_batch(data: &MmcsData, indices: &[usize]) -> BatchOpening {
    let max_h = data.max_height();
    let uniq = distinct_sorted(indices);
    assert!(
        uniq.last().is_none_or(|&i| i < max_h),
        "open_batch: index out of range"
    );
    let leaves = uniq
        .iter()
        .map(|&index| {
            leaf_from(
                &data.matrices,
                data.matrices.iter().map(|m| m.height()),
                &data.salts,
                data.salts.iter().map(|s| s.height()),
                max_h,
                index,
                |_| 0,
            )
        })
        .collect();
    let siblings = pruned_siblings(data.levels.len() - 1, &uniq)
        .into_iter()
        .map(|(l, i)| data.levels[l][i])
        .collect();
    BatchOpening { leaves, siblings }
}

impl StreamedTree {
    /// Open the indices `indices` (of the tallest matrices; any order, repeats allowed) as one
    /// batch. `produce(c, spent)` must return block `c` of every matrix, as it did for
    /// [`commit_streamed`] (`spent` is the block before, whose storage it may reuse); each
    /// block holding an index is produced once.
    pub fn open_batch(
        &self,
        indices: &[usize],
        mut produce: impl FnMut(usize, Vec<RowMajorMatrix<BabyBear>>) -> Vec<RowMajorMatrix<BabyBear>>,
    ) -> BatchOpening {
        let max_h = self.max_height();
        let uniq = distinct_sorted(indices);
        assert!(
            uniq.last().is_none_or(|&i| i < max_h),
            "open_batch: index out of range"
        );
        let bh = max_h / self.blocks;
        let log_bh = bh.trailing_zeros() as usize;
        let positions = pruned_siblings(max_h.trailing_zeros() as usize, &uniq);
        let mut siblings: Vec<Option<Digest>> = positions
            .iter()
            .map(|&(l, i)| (l >= log_bh).then(|| self.upper[l - self.log_group][i]))
            .collect();
        let block_groups: Vec<(usize, Vec<usize>)> = self
            .groups
            .iter()
            .map(|(h, ms)| (h / self.blocks, ms.clone()))
            .collect();
        let mut leaves = Vec::with_capacity(uniq.len());
        let mut spent = Vec::new();
        let mut k = 0;
        while k < uniq.len() {
            let c = self.block_of(uniq[k]);
            let block = produce(c, std::mem::take(&mut spent));
            assert_eq!(
                block.len(),
                self.dims.len(),
                "block {c}: wrong matrix count"
            );
            let salts = self.block_salts(c);
            let levels = build_levels(&block, &block_groups, &salts, None);
            while k < uniq.len() && self.block_of(uniq[k]) == c {
                leaves.push(leaf_from(
                    &block,
                    self.dims.iter().map(|d| d.height),
                    &salts,
                    self.groups.iter().map(|(h, _)| *h),
                    max_h,
                    uniq[k],
                    |h| c * (h / self.blocks),
                ));
                k += 1;
            }
            // Siblings below the subtree roots that lie in this block.
            for (s, &(l, i)) in siblings.iter_mut().zip(&positions) {
                if l < log_bh && i >> (log_bh - l) == c {
                    *s = Some(levels[l][i - (c << (log_bh - l))]);
                }
            }
            spent = block;
        }
        let siblings = siblings
            .into_iter()
            .map(|s| s.expect("every sibling below a subtree root lies in an opened block"))
            .collect();
        BatchOpening { leaves, siblings }
    }

    /// [`StreamedTree::open_batch`] from the rows of the opened groups alone (the same
    /// opening). `produce(gs)` gets the distinct groups holding an index (ascending) and
    /// must return, for each of them, every matrix's [`StreamedTree::group_rows`], in
    /// commitment order. Each group's leaves and subtree are rebuilt from those rows; the
    /// kept digests above give the rest of the path.
    pub fn open_batch_grouped(
        &self,
        indices: &[usize],
        produce: impl FnOnce(&[usize]) -> Vec<Vec<RowMajorMatrix<BabyBear>>>,
    ) -> BatchOpening {
        let max_h = self.max_height();
        let uniq = distinct_sorted(indices);
        assert!(
            uniq.last().is_none_or(|&i| i < max_h),
            "open_batch: index out of range"
        );
        let k = self.log_group;
        let gs = distinct_sorted(&uniq.iter().map(|&i| i >> k).collect::<Vec<_>>());
        let produced = produce(&gs);
        assert_eq!(produced.len(), gs.len(), "one set of rows per group");
        // Heights whose rows differ between the leaves of a group are hashed below its
        // digest; a shorter matrix's single shared row enters higher up, from the kept levels.
        let sub_groups: Vec<(usize, Vec<usize>)> = self
            .groups
            .iter()
            .filter(|(h, _)| max_h / h <= 1 << k)
            .map(|(h, ms)| ((h << k) / max_h, ms.clone()))
            .collect();
        let positions = pruned_siblings(max_h.trailing_zeros() as usize, &uniq);
        let mut siblings: Vec<Option<Digest>> = positions
            .iter()
            .map(|&(l, i)| (l >= k).then(|| self.upper[l - k][i]))
            .collect();
        let mut leaves = Vec::with_capacity(uniq.len());
        let mut next = 0;
        for (&g, rows) in gs.iter().zip(&produced) {
            assert_eq!(rows.len(), self.dims.len(), "group {g}: wrong matrix count");
            for (m, d) in rows.iter().zip(&self.dims) {
                assert_eq!(
                    (m.width, m.height()),
                    (d.width, self.group_rows(d.height, g).len()),
                    "group {g}: wrong rows"
                );
            }
            let salts: Vec<RowMajorMatrix<BabyBear>> =
                self.salts.iter().map(|s| s.rows(g << k, 1 << k)).collect();
            let levels = build_levels(rows, &sub_groups, &salts, None);
            assert_eq!(
                levels.last().unwrap()[0],
                self.upper[0][g],
                "group {g}: the rows do not rebuild the committed digest"
            );
            while next < uniq.len() && uniq[next] >> k == g {
                leaves.push(leaf_from(
                    rows,
                    self.dims.iter().map(|d| d.height),
                    &salts,
                    std::iter::once(max_h),
                    max_h,
                    uniq[next],
                    |h| self.group_rows(h, g).start,
                ));
                next += 1;
            }
            // Siblings below the kept level that lie in this group.
            for (s, &(l, i)) in siblings.iter_mut().zip(&positions) {
                if l < k && i >> (k - l) == g {
                    *s = Some(levels[l][i - (g << (k - l))]);
                }
            }
        }
        let siblings = siblings
            .into_iter()
            .map(|s| s.expect("every sibling below the kept level lies in an opened group"))
            .collect();
        BatchOpening { leaves, siblings }
    }
}

/// Verify a batch opening of `indices` (of the tallest matrices; any order, repeats
/// allowed) against `root` for matrices of shapes `dims`; `salted` says whether the
/// commitment hides (then every leaf carries one salt row of [`SALT_WIDTH`], else none). Returns, for each of `indices` in order, the position of its leaf in
/// `batch.leaves`.
///
/// Besides the root, it checks that the batch has exactly one leaf per distinct index and
/// exactly the siblings [`pruned_siblings`] lists, and that leaves sharing a row of a
/// shorter matrix (or salt) carry the same row.
pub fn verify_batch(
    root: &Digest,
    dims: &[Dims],
    salted: bool,
    indices: &[usize],
    batch: &BatchOpening,
) -> Result<Vec<usize>, MmcsError> {
    check_dims(dims)?;
    let groups = height_groups(dims);
    let max_h = groups[0].0;
    let log_h = max_h.trailing_zeros() as usize;
    let uniq = distinct_sorted(indices);
    if let Some(&index) = uniq.last().filter(|&&i| i >= max_h) {
        return Err(MmcsError::Index {
            index,
            height: max_h,
        });
    }
    if batch.leaves.len() != uniq.len() {
        return Err(MmcsError::Shape(format!(
            "{} leaves for {} distinct indices",
            batch.leaves.len(),
            uniq.len()
        )));
    }
    let want_salts = usize::from(salted);
    for leaf in &batch.leaves {
        check_leaf_shape(dims, want_salts, leaf)?;
    }
    // Leaves that share a row of a shorter matrix must agree on it: the tree hashes it once.
    for (g, (h, ms)) in groups.iter().enumerate().skip(1) {
        let shift = (max_h / h).trailing_zeros();
        for k in 1..uniq.len() {
            if uniq[k - 1] >> shift != uniq[k] >> shift {
                continue;
            }
            let (a, b) = (&batch.leaves[k - 1], &batch.leaves[k]);
            if ms.iter().any(|&m| a.rows[m] != b.rows[m]) || a.salts.get(g) != b.salts.get(g) {
                return Err(MmcsError::Shape(format!(
                    "leaves {} and {} differ on their shared row of height {h}",
                    uniq[k - 1],
                    uniq[k]
                )));
            }
        }
    }
    let rows_of = |g: usize, ms: &[usize], leaf: &LeafOpening| {
        hash_rows(
            ms.iter()
                .map(|&m| leaf.rows[m].as_slice())
                .chain(leaf.salts.get(g).map(|s| s.as_slice())),
        )
    };
    // (node index at this level, digest, a leaf below it)
    let mut cur: Vec<(usize, Digest, usize)> = uniq
        .iter()
        .zip(&batch.leaves)
        .enumerate()
        .map(|(k, (&i, leaf))| (i, rows_of(0, &groups[0].1, leaf), k))
        .collect();
    let mut sibs = batch.siblings.iter();
    let mut rest = groups.iter().enumerate().skip(1).peekable();
    let missing = || MmcsError::Shape(format!("too few siblings ({})", batch.siblings.len()));
    for level in 0..log_h {
        let mut next = Vec::with_capacity(cur.len());
        let mut k = 0;
        while k < cur.len() {
            let (i, node, leaf) = cur[k];
            let (left, right) = match cur.get(k + 1) {
                Some(&(j, other, _)) if j == i ^ 1 => {
                    k += 2;
                    (node, other)
                }
                _ => {
                    k += 1;
                    let sib = *sibs.next().ok_or_else(missing)?;
                    if i & 1 == 0 {
                        (node, sib)
                    } else {
                        (sib, node)
                    }
                }
            };
            next.push((i >> 1, hash_node(&left, &right), leaf));
        }
        let n = max_h >> (level + 1);
        if let Some((g, (_, ms))) = rest.next_if(|(_, (h, _))| *h == n) {
            for (_, node, leaf) in &mut next {
                *node = hash_node(node, &rows_of(g, ms, &batch.leaves[*leaf]));
            }
        }
        cur = next;
    }
    if sibs.next().is_some() {
        return Err(MmcsError::Shape(format!(
            "too many siblings ({})",
            batch.siblings.len()
        )));
    }
    match cur.first() {
        None => {}
        Some((_, node, _)) if node == root => {}
        Some(_) => return Err(MmcsError::RootMismatch),
    }
    Ok(indices
        .iter()
        .map(|i| {
            uniq.binary_search(i)
                .expect("every index is among the distinct ones")
        })
        .collect())
}

/// At least one matrix, every height a power of two.
fn check_dims(dims: &[Dims]) -> Result<(), MmcsError> {
    if dims.is_empty() {
        return Err(MmcsError::Shape("no matrices".into()));
    }
    if let Some(d) = dims.iter().find(|d| !d.height.is_power_of_two()) {
        return Err(MmcsError::Shape(format!(
            "height {} is not a power of two",
            d.height
        )));
    }
    Ok(())
}

/// One row per matrix, each as wide as its matrix.
fn check_row_shapes(dims: &[Dims], rows: &[Vec<BabyBear>]) -> Result<(), MmcsError> {
    if rows.len() != dims.len() {
        return Err(MmcsError::Shape(format!(
            "{} rows for {} matrices",
            rows.len(),
            dims.len()
        )));
    }
    for (i, (row, d)) in rows.iter().zip(dims).enumerate() {
        if row.len() != d.width {
            return Err(MmcsError::Shape(format!(
                "row of matrix {i} has {} values, width is {}",
                row.len(),
                d.width
            )));
        }
    }
    Ok(())
}

/// A leaf's rows and salts have the shapes `dims` and `want_salts` require.
fn check_leaf_shape(dims: &[Dims], want_salts: usize, leaf: &LeafOpening) -> Result<(), MmcsError> {
    check_row_shapes(dims, &leaf.rows)?;
    if leaf.salts.len() != want_salts || leaf.salts.iter().any(|s| s.len() != SALT_WIDTH) {
        return Err(MmcsError::Shape(format!(
            "{} salt rows, expected {want_salts} of {SALT_WIDTH} values",
            leaf.salts.len()
        )));
    }
    Ok(())
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

    /// Block `c` of `blocks` of every matrix: its rows `c·h/blocks ..`, as a streamed
    /// commitment's `produce` returns them.
    fn block(
        mats: &[RowMajorMatrix<BabyBear>],
        c: usize,
        blocks: usize,
    ) -> Vec<RowMajorMatrix<BabyBear>> {
        mats.iter()
            .map(|m| {
                let h = m.height() / blocks;
                RowMajorMatrix::new(
                    m.values[c * h * m.width..(c + 1) * h * m.width].to_vec(),
                    m.width,
                )
            })
            .collect()
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

    /// Mixed heights 32, 8, 32, 1, 16, salted or not.
    fn batch_fixture(salted: bool) -> (Vec<RowMajorMatrix<BabyBear>>, MmcsData) {
        let mats = vec![
            mat(32, 3, 1),
            mat(8, 2, 2),
            mat(32, 1, 3),
            mat(1, 5, 4),
            mat(16, 4, 5),
        ];
        let data = commit_salted(mats.clone(), salted.then(|| ProverRng::new(3)).as_mut());
        (mats, data)
    }

    #[test]
    fn batch_openings_verify_and_prune() {
        for salted in [false, true] {
            let (mats, data) = batch_fixture(salted);
            let dims = data.dims();
            let sets: Vec<Vec<usize>> = vec![
                vec![],
                vec![13],
                vec![3, 2],
                vec![31, 0, 17, 17, 16, 5, 0],
                (0..32).rev().collect(),
            ];
            for idx in sets {
                let b = open_batch(&data, &idx);
                let uniq = distinct_sorted(&idx);
                assert_eq!(b.leaves.len(), uniq.len());
                assert_eq!(b.siblings.len(), pruned_siblings(5, &uniq).len());
                let at = verify_batch(&data.root(), &dims, salted, &idx, &b).unwrap();
                for (&i, &k) in idx.iter().zip(&at) {
                    let leaf = &b.leaves[k];
                    assert_eq!(leaf.rows[0], mats[0].row(i));
                    assert_eq!(leaf.rows[1], mats[1].row(i >> 2));
                    assert_eq!(leaf.rows[3], mats[3].row(0));
                    assert_eq!(leaf.rows[4], mats[4].row(i >> 1));
                }
                // A single index carries its whole path, like `open`.
                if let [i] = uniq[..] {
                    assert_eq!(b.siblings, open(&data, i).siblings);
                }
                // Every leaf opened: nothing to send.
                if uniq.len() == 32 {
                    assert!(b.siblings.is_empty());
                }
            }
            // Pruning: each sibling appears once; fewer digests than separate paths.
            let idx = [1, 2, 3, 9, 30];
            let b = open_batch(&data, &idx);
            assert!(b.siblings.len() < 5 * idx.len());
            let pos = pruned_siblings(5, &idx);
            let mut unique = pos.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), pos.len());
        }
    }

    #[test]
    fn tampered_batches_are_rejected() {
        for salted in [false, true] {
            let (_, data) = batch_fixture(salted);
            let dims = data.dims();
            let root = data.root();
            // 4 and 5 share their rows of the height-8 and height-16 matrices.
            let idx = vec![9, 4, 5, 22, 4];
            let good = open_batch(&data, &idx);
            verify_batch(&root, &dims, salted, &idx, &good).unwrap();
            let n = good.siblings.len();
            assert!(n >= 3);
            let mut cases: Vec<(String, BatchOpening)> = Vec::new();
            let mut push = |name: String, f: &dyn Fn(&mut BatchOpening)| {
                let mut b = good.clone();
                f(&mut b);
                assert_ne!(b, good, "{name}: changed nothing");
                cases.push((name, b));
            };
            for k in 0..n {
                push(format!("sibling {k} changed"), &|b| {
                    b.siblings[k][k % 32] ^= 1
                });
                push(format!("sibling {k} removed"), &|b| {
                    b.siblings.remove(k);
                });
                push(format!("sibling added before {k}"), &|b| {
                    let d = b.siblings[k];
                    b.siblings.insert(k, d)
                });
            }
            push("sibling added at the end".into(), &|b| {
                b.siblings.push([7; 32])
            });
            push("siblings reordered".into(), &|b| b.siblings.swap(0, n - 1));
            push("siblings reversed".into(), &|b| b.siblings.reverse());
            for l in 0..good.leaves.len() {
                for m in 0..dims.len() {
                    push(format!("leaf {l} matrix {m} row"), &|b| {
                        b.leaves[l].rows[m][0] += BabyBear::ONE
                    });
                }
                if salted {
                    for g in 0..good.leaves[l].salts.len() {
                        push(format!("leaf {l} salt {g}"), &|b| {
                            b.leaves[l].salts[g][g] += BabyBear::ONE
                        });
                    }
                    push(format!("leaf {l} second salt row"), &|b| {
                        let x = b.leaves[l].salts[0].clone();
                        b.leaves[l].salts.push(x)
                    });
                    push(format!("leaf {l} salt removed"), &|b| {
                        b.leaves[l].salts.clear()
                    });
                }
                push(format!("leaf {l} removed"), &|b| drop(b.leaves.remove(l)));
                push(format!("leaf {l} repeated"), &|b| {
                    let x = b.leaves[l].clone();
                    b.leaves.insert(l, x)
                });
            }
            push("leaves reordered".into(), &|b| b.leaves.swap(0, 2));
            for (name, b) in &cases {
                assert!(
                    verify_batch(&root, &dims, salted, &idx, b).is_err(),
                    "{name} verified (salted {salted})"
                );
            }
            // Changed query indices: the same batch does not open them.
            for other in [vec![9, 4, 5, 23, 4], vec![9, 4, 6, 22], vec![8, 4, 5, 22]] {
                assert!(verify_batch(&root, &dims, salted, &other, &good).is_err());
            }
            assert!(matches!(
                verify_batch(&root, &dims, salted, &[9, 4, 5, 32], &good),
                Err(MmcsError::Index { .. })
            ));
            // A leaf that disagrees with its neighbour on a shared short row (the row hashed
            // is the neighbour's, so only the consistency check sees it).
            let k5 = 1; // leaves: 4, 5, 9, 22
            let mut b = good.clone();
            b.leaves[k5].rows[1][0] += BabyBear::ONE;
            assert!(matches!(
                verify_batch(&root, &dims, salted, &idx, &b),
                Err(MmcsError::Shape(_))
            ));
            // Salted read as unsalted and the reverse.
            assert!(verify_batch(&root, &dims, !salted, &idx, &good).is_err());
        }
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
        // One salt matrix, as tall as the tallest matrices.
        let heights: Vec<usize> = a.salts.iter().map(|s| s.height()).collect();
        assert_eq!(heights, [16]);
        assert!(a.salts.iter().all(|s| s.width == SALT_WIDTH));
        // Every row's salt differs from every other row's.
        let rows: std::collections::HashSet<&[BabyBear]> = a.salts[0].rows().collect();
        assert_eq!(rows.len(), 16);
        let dims = a.dims();
        for i in 0..16 {
            let o = open(&a, i);
            assert_eq!(o.salts.len(), 1);
            assert_eq!(o.salts[0], a.salts[0].row(i));
            verify_salted(&a.root(), &dims, true, i, &o).unwrap();
            // Every sibling, those over the shorter matrices' rows too, depends on the salts:
            // the same data under another seed shares none of them.
            let other = open(&c, i);
            for (l, (x, y)) in o.siblings.iter().zip(&other.siblings).enumerate() {
                assert_ne!(
                    x, y,
                    "index {i}: sibling at level {l} does not depend on the salt"
                );
            }
            // Read as unsalted, or with a changed salt, it does not verify.
            assert!(matches!(
                verify(&a.root(), &dims, i, &o),
                Err(MmcsError::Shape(_))
            ));
            for k in 0..SALT_WIDTH {
                let mut t = o.clone();
                t.salts[0][k] += BabyBear::ONE;
                assert_eq!(
                    verify_salted(&a.root(), &dims, true, i, &t),
                    Err(MmcsError::RootMismatch)
                );
            }
            let mut t = o.clone();
            t.salts[0].pop();
            assert!(verify_salted(&a.root(), &dims, true, i, &t).is_err());
            // A salt row too many (as the previous protocol sent one per height).
            let mut t = o.clone();
            t.salts.push(o.salts[0].clone());
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
        let dims: Vec<Dims> = mats.iter().map(Dims::of).collect();
        for salted in [false, true] {
            let rng = |s: u64| salted.then(|| ProverRng::new(s));
            let whole = commit_salted(mats.clone(), rng(5).as_mut());
            for blocks in [1, 2, 8] {
                let tree = commit_streamed(dims.clone(), blocks, rng(5).as_mut(), None, |c, _| {
                    block(&mats, c, blocks)
                });
                assert_eq!(tree.root(), whole.root());
                for idx in [vec![5], vec![0, 63, 7, 8, 9, 7], (0..64).collect()] {
                    let mut produced = Vec::new();
                    let b = tree.open_batch(&idx, |c, _| {
                        produced.push(c);
                        block(&mats, c, blocks)
                    });
                    assert_eq!(b, open_batch(&whole, &idx));
                    // Each block holding an index is produced once.
                    let mut want: Vec<usize> = idx.iter().map(|&i| tree.block_of(i)).collect();
                    want.sort_unstable();
                    want.dedup();
                    assert_eq!(produced, want);
                    verify_batch(&whole.root(), &dims, salted, &idx, &b).unwrap();
                }
            }
        }
        // Regenerated salt rows are the drawn matrix's rows.
        let m = ProverRng::new(9).matrix(3000, 5);
        let lazy = ProverRng::new(9).lazy_matrix(3000, 5);
        assert_eq!(lazy.rows(1000, 1100).values, m.values[5000..10500]);
    }

    #[test]
    fn grouped_openings_equal_block_and_whole_ones() {
        // Heights 256 down to 1: for groups of 2^k leaves, some matrices are shorter by less
        // than 2^k (several rows per group), some by exactly 2^k and some by more (one row
        // shared by several groups), and height 1 is injected at the root.
        let all = [
            mat(256, 3, 1),
            mat(64, 2, 2),
            mat(256, 1, 3),
            mat(4, 5, 4),
            mat(2, 2, 6),
            mat(32, 4, 5),
            mat(1, 3, 7),
        ];
        // Streamed commitments need every height to be at least the block count.
        let shapes = |mats: &[RowMajorMatrix<BabyBear>]| -> Vec<Dims> {
            mats.iter().map(Dims::of).collect()
        };
        let sets: Vec<Vec<usize>> = vec![
            vec![],
            vec![77],
            vec![0, 255, 7, 8, 9, 7, 128, 129, 64],
            (0..256).step_by(3).collect(),
            (0..256).collect(),
        ];
        let soft = Offload::new(std::sync::Arc::new(crate::offload::soft::Soft::new(
            6,
            0,
            1 << 20,
        )));
        for salted in [false, true] {
            let rng = |s: u64| salted.then(|| ProverRng::new(s));
            for (blocks, log_group, offload) in [
                (1, 0, None),
                (1, 3, None),
                (1, 6, Some(&soft)),
                (1, 8, None),
                (2, 2, None),
                (2, 9, Some(&soft)),
                (4, 6, None),
            ] {
                let mats: Vec<RowMajorMatrix<BabyBear>> = all
                    .iter()
                    .filter(|m| m.height() >= blocks)
                    .cloned()
                    .collect();
                let dims = shapes(&mats);
                let whole = commit_salted(mats.clone(), rng(5).as_mut());
                let tree = commit_streamed_keeping(
                    dims.clone(),
                    blocks,
                    log_group,
                    rng(5).as_mut(),
                    offload,
                    |c, _| block(&mats, c, blocks),
                );
                assert_eq!(tree.root(), whole.root());
                assert_eq!(tree.log_group(), log_group.min(8 - blocks.ilog2() as usize));
                let k = tree.log_group();
                for idx in &sets {
                    let mut asked = Vec::new();
                    let b = tree.open_batch_grouped(idx, |gs| {
                        asked = gs.to_vec();
                        gs.iter()
                            .map(|&g| {
                                mats.iter()
                                    .map(|m| {
                                        let r = tree.group_rows(m.height(), g);
                                        RowMajorMatrix::new(
                                            m.values[r.start * m.width..r.end * m.width].to_vec(),
                                            m.width,
                                        )
                                    })
                                    .collect()
                            })
                            .collect()
                    });
                    let mut want: Vec<usize> = idx.iter().map(|&i| i >> k).collect();
                    want.sort_unstable();
                    want.dedup();
                    assert_eq!(asked, want, "groups asked for");
                    assert_eq!(b, open_batch(&whole, idx), "blocks {blocks}, k {k}");
                    assert_eq!(b, tree.open_batch(idx, |c, _| block(&mats, c, blocks)));
                    verify_batch(&whole.root(), &dims, salted, idx, &b).unwrap();
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "do not rebuild the committed digest")]
    fn grouped_openings_check_the_rows_they_are_given() {
        let mats = vec![mat(64, 3, 1), mat(8, 2, 2)];
        let dims: Vec<Dims> = mats.iter().map(Dims::of).collect();
        let tree = commit_streamed_keeping(dims, 1, 3, None, None, |_, _| mats.clone());
        tree.open_batch_grouped(&[9], |gs| {
            gs.iter()
                .map(|&g| {
                    mats.iter()
                        .map(|m| {
                            // The rows of the next group: the wrong ones.
                            let r = tree.group_rows(m.height(), g + 1);
                            RowMajorMatrix::new(
                                m.values[r.start * m.width..r.end * m.width].to_vec(),
                                m.width,
                            )
                        })
                        .collect()
                })
                .collect()
        });
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
