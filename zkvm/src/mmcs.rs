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
//! Hashes (ARCHITECTURE.md contract 4):
//! * leaf: SHA-256 (FIPS 180-4, with padding) of the rows' canonical u32 words, little-endian,
//!   matrices in commitment order;
//! * node: one raw SHA-256 compression of `left ‖ right` (64 bytes) from the standard IV,
//!   no padding block; the digest is the eight state words big-endian.

use rayon::prelude::*;

use crate::field::BabyBear;
use crate::matrix::RowMajorMatrix;
use crate::merkle::{hash_layer, hash_leaf, hash_leaves, zeroed_digests};

pub use crate::merkle::{hash_node, Digest};

/// The leaf hash of some rows (one per matrix of the same height): the row hash of their
/// concatenation.
pub fn hash_rows<'a>(rows: impl IntoIterator<Item = &'a [BabyBear]>) -> Digest {
    let joined: Vec<BabyBear> = rows.into_iter().flatten().copied().collect();
    hash_leaf(&joined)
}

/// Leaf hashes of every row of the matrices `ms` (all of one height), concatenated per row.
fn hash_group(matrices: &[RowMajorMatrix<BabyBear>], ms: &[usize], height: usize) -> Vec<Digest> {
    let mut out = zeroed_digests(height);
    if let [m] = ms {
        hash_leaves(&matrices[*m], &mut out);
    } else {
        let width: usize = ms.iter().map(|&m| matrices[m].width).sum();
        let mut joined = Vec::with_capacity(height * width);
        for r in 0..height {
            for &m in ms {
                joined.extend_from_slice(matrices[m].row(r));
            }
        }
        hash_leaves(&RowMajorMatrix::new(joined, width), &mut out);
    }
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

/// What the prover keeps of a commitment: the matrices and every tree level.
#[derive(Debug)]
pub struct MmcsData {
    /// The committed matrices, in commitment order.
    pub matrices: Vec<RowMajorMatrix<BabyBear>>,
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

/// An opening of index `i`: one row per matrix and the sibling path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    /// Row of each matrix, in commitment order.
    pub rows: Vec<Vec<BabyBear>>,
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
    let (max_h, first) = &groups[0];
    let mut levels = vec![hash_group(&matrices, first, *max_h)];
    let mut groups_iter = groups[1..].iter().peekable();
    while levels.last().unwrap().len() > 1 {
        let prev = levels.last().unwrap();
        let n = prev.len() / 2;
        let mut next = zeroed_digests(n);
        hash_layer(prev, &mut next);
        if let Some((h, ms)) = groups_iter.next_if(|(h, _)| *h == n) {
            let injected = hash_group(&matrices, ms, *h);
            next.par_iter_mut()
                .zip(injected.par_iter())
                .for_each(|(node, leaf)| *node = hash_node(node, leaf));
        }
        levels.push(next);
    }
    // A height-1 matrix beside taller ones is injected at the root level.
    if let Some((1, ms)) = groups_iter.next() {
        let root = levels.last_mut().unwrap();
        root[0] = hash_node(&root[0], &hash_rows(ms.iter().map(|&m| matrices[m].row(0))));
    }
    MmcsData { matrices, levels }
}

/// Open index `index` of the tallest matrices.
pub fn open(data: &MmcsData, index: usize) -> Opening {
    let max_h = data.max_height();
    assert!(index < max_h);
    let rows = data
        .matrices
        .iter()
        .map(|m| {
            let shift = (max_h / m.height()).trailing_zeros();
            m.row(index >> shift).to_vec()
        })
        .collect();
    let siblings = (0..data.levels.len() - 1)
        .map(|l| data.levels[l][(index >> l) ^ 1])
        .collect();
    Opening { rows, siblings }
}

/// Verify an opening of `index` against `root` for matrices of shapes `dims`.
pub fn verify(
    root: &Digest,
    dims: &[Dims],
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
    let rows_of = |ms: &[usize]| hash_rows(ms.iter().map(|&m| opening.rows[m].as_slice()));
    let mut node = rows_of(&groups[0].1);
    let mut rest = groups[1..].iter().peekable();
    for (l, sib) in opening.siblings.iter().enumerate() {
        let pos = index >> l;
        node = if pos & 1 == 0 {
            hash_node(&node, sib)
        } else {
            hash_node(sib, &node)
        };
        let n = max_h >> (l + 1);
        if let Some((_, ms)) = rest.next_if(|(h, _)| *h == n) {
            node = hash_node(&node, &rows_of(ms));
        }
    }
    if let Some((1, ms)) = rest.next() {
        node = hash_node(&node, &rows_of(ms));
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
}
