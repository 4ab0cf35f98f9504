use super::*;
use crate::field::Field;
use sha2::{Digest as _, Sha256};

fn mat(h: usize, w: usize) -> RowMajorMatrix<BabyBear> {
    RowMajorMatrix::from_fn(h, w, |r, c| {
        BabyBear::new((r * 1_000_003 + c * 7919) as u32)
    })
}

#[test]
fn hashes_follow_the_spec() {
    // Leaf: plain SHA-256 of the canonical little-endian words, for several lengths
    // (padding into one, two and three blocks).
    for w in [0, 1, 13, 14, 16, 32, 33] {
        let row: Vec<BabyBear> = (0..w as u32)
            .map(|i| BabyBear::new(i * 0x0101_0101))
            .collect();
        let bytes: Vec<u8> = row
            .iter()
            .flat_map(|x| x.as_canonical().to_le_bytes())
            .collect();
        let want: Digest = Sha256::digest(&bytes).into();
        assert_eq!(hash_leaf(&row), want, "width {w}");
    }
    // Node: the compression of the 64 bytes from the IV, i.e. the internal state after the
    // first block of any message that starts with left ‖ right. Known answer: both children
    // zero gives the well-known SHA-256 state after one all-zero block.
    let zero = hash_node(&[0; 32], &[0; 32]);
    assert_eq!(
        zero[..8],
        [0xda, 0x56, 0x98, 0xbe, 0x17, 0xb9, 0xb4, 0x69],
        "compression of a zero block"
    );
}

#[test]
fn agrees_with_the_mixed_matrix_commitment() {
    // mmcs.rs (the STARK's mixed-height commitment) must hash exactly as we do.
    let m = mat(4, 5);
    assert_eq!(hash_leaf(m.row(2)), crate::mmcs::hash_rows([m.row(2)]));
    let (a, b) = (hash_leaf(m.row(0)), hash_leaf(m.row(1)));
    assert_eq!(hash_node(&a, &b), crate::mmcs::hash_node(&a, &b));
}

#[test]
fn root_matches_a_plain_recomputation() {
    let m = mat(8, 3);
    let mut layer: Vec<Digest> = m.rows().map(hash_leaf).collect();
    while layer.len() > 1 {
        layer = layer.chunks(2).map(|c| hash_node(&c[0], &c[1])).collect();
    }
    let tree = MerkleTree::commit(m);
    assert_eq!(tree.root(), layer[0]);
    assert_eq!(tree.log_height(), 3);
    // Parallel and sequential hashing agree on a tall tree.
    let big = mat(1 << 12, 4);
    let mut layer: Vec<Digest> = big.rows().map(hash_leaf).collect();
    while layer.len() > 1 {
        layer = layer.chunks(2).map(|c| hash_node(&c[0], &c[1])).collect();
    }
    assert_eq!(MerkleTree::commit(big).root(), layer[0]);
}

#[test]
fn open_and_verify() {
    let tree = MerkleTree::commit(mat(64, 5));
    let root = tree.root();
    for indices in [
        vec![0],
        vec![63],
        vec![5, 6],
        vec![7, 3, 40, 41, 63, 0],
        vec![9, 9, 2],
    ] {
        let (rows, proof) = tree.open_batch(&indices);
        assert_eq!(
            verify_batch(&root, 6, 5, &indices, &rows, &proof),
            Ok(()),
            "{indices:?}"
        );
        for (i, r) in indices.iter().zip(&rows) {
            assert_eq!(r.as_slice(), tree.matrix().row(*i));
        }
    }
    // Sharing: two adjacent leaves need one sibling fewer per level at the bottom.
    assert_eq!(tree.open_batch(&[0]).1.siblings.len(), 6);
    assert_eq!(tree.open_batch(&[0, 1]).1.siblings.len(), 5);
    // A single-row tree has an empty proof.
    let one = MerkleTree::commit(mat(1, 2));
    let (rows, proof) = one.open_batch(&[0]);
    assert!(proof.siblings.is_empty());
    assert_eq!(verify_batch(&one.root(), 0, 2, &[0], &rows, &proof), Ok(()));
}

#[test]
fn tampering_is_rejected() {
    let tree = MerkleTree::commit(mat(32, 4));
    let root = tree.root();
    let idx = vec![3, 17, 18];
    let (rows, proof) = tree.open_batch(&idx);
    let v = |idx: &[usize], rows: &[Vec<BabyBear>], proof: &MultiProof| {
        verify_batch(&root, 5, 4, idx, rows, proof)
    };

    let mut bad = rows.clone();
    bad[1][2] += BabyBear::ONE;
    assert_eq!(
        v(&idx, &bad, &proof),
        Err(MerkleError::RootMismatch),
        "tampered leaf"
    );

    for s in 0..proof.siblings.len() {
        let mut p = proof.clone();
        p.siblings[s][0] ^= 1;
        assert_eq!(
            v(&idx, &rows, &p),
            Err(MerkleError::RootMismatch),
            "sibling {s}"
        );
    }

    assert_eq!(
        v(&[3, 17, 19], &rows, &proof),
        Err(MerkleError::RootMismatch),
        "index"
    );
    assert_eq!(
        v(&[2, 17, 18], &rows, &proof),
        Err(MerkleError::RootMismatch),
        "index"
    );
    assert_eq!(
        v(&[3, 17, 32], &rows, &proof),
        Err(MerkleError::IndexOutOfRange {
            index: 32,
            height: 32
        })
    );

    let mut p = proof.clone();
    p.siblings.pop();
    assert_eq!(v(&idx, &rows, &p), Err(MerkleError::MissingSiblings));
    let mut p = proof.clone();
    p.siblings.push([0; 32]);
    assert_eq!(v(&idx, &rows, &p), Err(MerkleError::ExtraSiblings(1)));
    assert_eq!(
        v(&idx, &rows, &MultiProof::default()),
        Err(MerkleError::MissingSiblings)
    );

    assert_eq!(v(&[], &[], &proof), Err(MerkleError::NoIndices));
    assert_eq!(
        v(&idx, &rows[..2], &proof),
        Err(MerkleError::RowCountMismatch {
            rows: 2,
            indices: 3
        })
    );
    let mut short = rows.clone();
    short[0].pop();
    assert_eq!(
        v(&idx, &short, &proof),
        Err(MerkleError::RowWidthMismatch {
            index: 3,
            got: 3,
            expected: 4
        })
    );
    let (rows2, proof2) = tree.open_batch(&[4, 4]);
    let mut conflict = rows2.clone();
    conflict[1][0] += BabyBear::ONE;
    assert_eq!(
        v(&[4, 4], &conflict, &proof2),
        Err(MerkleError::ConflictingRows(4))
    );
    // Wrong claimed height: the path length no longer matches.
    assert!(verify_batch(&root, 6, 4, &idx, &rows, &proof).is_err());
    assert!(verify_batch(&root, 4, 4, &idx, &rows, &proof).is_err());
    assert!(verify_batch(&root, 200, 4, &idx, &rows, &proof).is_err());
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Arbitrary garbage never panics the verifier, and never verifies unless it is the
        /// honest opening.
        #[test]
        fn verify_never_panics(
            log_h in 0u32..70,
            width in 0usize..6,
            indices in prop::collection::vec(0usize..80, 0..6),
            n_sib in 0usize..12,
            seed in any::<u8>(),
        ) {
            let tree = MerkleTree::commit(mat(16, 3));
            let rows: Vec<Vec<BabyBear>> = indices
                .iter()
                .map(|&i| (0..width).map(|c| BabyBear::new((i * 7 + c) as u32)).collect())
                .collect();
            let proof = MultiProof { siblings: vec![[seed; 32]; n_sib] };
            let r = verify_batch(&tree.root(), log_h, width, &indices, &rows, &proof);
            prop_assert!(r.is_err());
        }

        /// Honest openings of random index sets verify; dropping or adding a sibling fails.
        #[test]
        fn honest_openings_verify(indices in prop::collection::vec(0usize..64, 1..10)) {
            let tree = MerkleTree::commit(mat(64, 2));
            let (rows, proof) = tree.open_batch(&indices);
            prop_assert_eq!(verify_batch(&tree.root(), 6, 2, &indices, &rows, &proof), Ok(()));
            let mut short = proof.clone();
            if short.siblings.pop().is_some() {
                prop_assert!(verify_batch(&tree.root(), 6, 2, &indices, &rows, &short).is_err());
            }
        }
    }
}

#[test]
fn joined_leaves_hash_the_concatenated_rows() {
    // Several matrices read in place hash as their rows side by side would: row counts not
    // a multiple of the interleaved streams, below and above the parallel threshold, widths
    // that end on and off a 64-byte block, values at the field's edges.
    for h in [1, 5, 64, 67, 300, 1031] {
        let a = RowMajorMatrix::from_fn(h, 3, |r, c| match (r + c) % 5 {
            0 => BabyBear::ZERO,
            1 => BabyBear::NEG_ONE,
            _ => BabyBear::new((r * 31 + c) as u32),
        });
        let b = mat(h, 13);
        let c = mat(h, 1);
        for parts in [vec![&a], vec![&a, &b], vec![&b, &c, &a]] {
            let mut out = vec![[0u8; 32]; h];
            hash_leaves_joined(&parts, &mut out);
            for (r, d) in out.iter().enumerate() {
                let row: Vec<BabyBear> = parts.iter().flat_map(|m| m.row(r).to_vec()).collect();
                assert_eq!(*d, hash_leaf(&row), "height {h}, row {r}");
            }
        }
    }
}
