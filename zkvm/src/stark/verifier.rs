//! The STARK verifier. It returns an error for every malformed or false proof and never
//! panics on proof contents.

use super::domain::selectors_at;
use super::layout::{
    blowup_needed, deep_row_sums, deep_sums, deep_value, next_point, powers_of, quotient_shapes,
    quotient_slice, table_runs, DeepRun, Layout, NextCols, AUX_NEXT,
};
use super::proof::{StarkProof, PROOF_VERSION};
use super::prover::{
    absorb_openings, absorb_statement, blind_rows, ext_from_coords, index_of_present,
};
use super::{
    blinded_tables, constraint_count, signed, LogUpRow, LookupChallenges, PublicInteraction,
    StarkConfig, Table, BLINDING_WIDTH, BUS_LIMIT, E,
};
use crate::air::window::Window;
use crate::air::F;
use crate::field::{Field, TwoAdicField};
use crate::fri::{self, FriError};
use crate::mmcs::{self, BatchOpening, Digest, Dims, LeafOpening, MmcsError};
use crate::transcript::{is_in_base_field, Transcript};
use crate::util::reverse_bits_len;

/// What a verifier needs besides the tables: the commitment to their preprocessed columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyingKey {
    /// Root over all preprocessed LDEs, if any table has preprocessed columns.
    pub prep_root: Option<Digest>,
    /// Per table: log2 of the preprocessed height, if it has preprocessed columns.
    pub prep_log_heights: Vec<Option<usize>>,
    /// Per table: preprocessed width, if any.
    pub prep_widths: Vec<Option<usize>>,
}

/// Why a proof was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StarkError {
    /// Another proof version.
    #[error("proof version {found}, this verifier reads version {PROOF_VERSION}")]
    Version {
        /// Version in the proof.
        found: u32,
    },
    /// The proof does not have the shape the tables and parameters require.
    #[error("proof shape: {0}")]
    Shape(String),
    /// The constraints do not hold at the out-of-domain point.
    #[error("table {table}: constraints do not hold at the out-of-domain point")]
    OodMismatch {
        /// Table name.
        table: String,
    },
    /// The lookup buses do not balance.
    #[error("lookup buses do not balance")]
    Unbalanced,
    /// A table or a public interaction uses a bus number at or above [`BUS_LIMIT`].
    #[error("{table} uses bus {bus}; bus numbers must be below {BUS_LIMIT}")]
    ReservedBus {
        /// Table name, or "public interactions".
        table: String,
        /// The offending bus.
        bus: usize,
    },
    /// A commitment opening does not match its root.
    #[error("{what} openings: {err}")]
    Opening {
        /// Which commitment.
        what: &'static str,
        /// The Merkle error.
        err: MmcsError,
    },
    /// FRI rejected.
    #[error(transparent)]
    Fri(#[from] FriError),
}

fn shape(why: impl Into<String>) -> StarkError {
    StarkError::Shape(why.into())
}

/// Verify `proof` for `tables` with public values `public` and `public_interactions`.
pub fn verify(
    config: &StarkConfig,
    vk: &VerifyingKey,
    tables: &[&dyn Table],
    proof: &StarkProof,
    public: &[F],
    public_interactions: &[PublicInteraction],
) -> Result<(), StarkError> {
    let log_blowup = config.fri.log_blowup;
    let zk = config.zk;
    let nt = tables.len();
    if proof.version != PROOF_VERSION {
        return Err(StarkError::Version {
            found: proof.version,
        });
    }
    if nt == 0 {
        return Err(shape("no tables"));
    }
    if proof.log_heights.len() != nt || proof.claimed_sums.len() != nt || proof.opened.len() != nt {
        return Err(shape(format!(
            "proof describes {} tables, expected {nt}",
            proof.log_heights.len()
        )));
    }
    if vk.prep_log_heights.len() != nt || vk.prep_widths.len() != nt {
        return Err(shape("verifying key does not match the tables"));
    }
    for (t, &h) in proof.log_heights.iter().enumerate() {
        // The LDEs must fit in 2^27.
        if h < 1 || h + log_blowup + zk as usize > 27 {
            return Err(shape(format!("table {t}: log height {h} out of range")));
        }
        if let Some(ph) = vk.prep_log_heights[t] {
            if ph != h {
                return Err(shape(format!(
                    "table {t}: height 2^{h}, preprocessed 2^{ph}"
                )));
            }
        }
        if blowup_needed(tables[t].max_degree(), zk) > 1 << log_blowup {
            return Err(shape(format!("table {t}: degree too high for the blowup")));
        }
    }
    let layout = Layout::new(&proof.log_heights, log_blowup, zk);
    let shapes = quotient_shapes(&layout, tables, zk.then(|| blind_rows(config)));
    let quotient_width: usize = shapes.iter().map(|s| 4 * s.count).sum();
    if proof.quotient_opened.len() != quotient_width {
        return Err(shape(format!(
            "{} quotient openings, expected {quotient_width}",
            proof.quotient_opened.len()
        )));
    }
    let buses: Vec<Vec<usize>> = tables.iter().map(|t| t.buses(public)).collect();
    // No statement may reach the STARK's own blinding bus.
    let reserved = |table: String, bus: usize| StarkError::ReservedBus { table, bus };
    for (table, b) in tables.iter().zip(&buses) {
        if let Some(&bus) = b.iter().find(|&&b| b >= BUS_LIMIT) {
            return Err(reserved(table.name(), bus));
        }
    }
    if let Some(pi) = public_interactions.iter().find(|pi| pi.bus >= BUS_LIMIT) {
        return Err(reserved("public interactions".into(), pi.bus));
    }
    let air_inter: Vec<usize> = buses.iter().map(|b| b.len()).collect();
    let any_lookups = air_inter.iter().any(|&k| k > 0) || !public_interactions.is_empty();
    let has_aux: Vec<bool> = air_inter.iter().map(|&k| k > 0).collect();
    // Blinded tables have BLINDING_WIDTH more main columns and one more interaction.
    let blinded = blinded_tables(zk, &air_inter);
    let main_width: Vec<usize> = (0..nt)
        .map(|t| tables[t].width() + if blinded[t] { BLINDING_WIDTH } else { 0 })
        .collect();
    let groups: Vec<Vec<usize>> = (0..nt)
        .map(|t| super::aux_groups(tables[t], public, blinded[t]))
        .collect();
    let num_aux: Vec<usize> = groups.iter().map(|g| super::num_groups(g)).collect();
    if proof.aux_commit.is_some() != has_aux.iter().any(|&a| a) {
        return Err(shape("auxiliary commitment present/absent wrongly"));
    }
    let ng = layout.groups.len();
    let num_masks = if zk { ng } else { 0 };
    if proof.mask_opened.len() != 4 * num_masks {
        return Err(shape(format!(
            "{} mask openings, expected {}",
            proof.mask_opened.len(),
            4 * num_masks
        )));
    }

    // Only the columns each AIR reads in the next row are opened at ζω (and every logUp
    // column): fixed by the AIRs, as the prover finds them.
    let next_sets: Vec<(Vec<usize>, Vec<usize>)> =
        tables.iter().map(|t| t.next_columns(public)).collect();
    // Shapes of the openings.
    for (t, o) in proof.opened.iter().enumerate() {
        let pw = vk.prep_widths[t].unwrap_or(0);
        // The h columns of every group but the last, and the running sum s.
        let aw = if has_aux[t] { 4 * num_aux[t] } else { 0 };
        let ok = o.prep_local.len() == pw
            && o.prep_next.len() == next_sets[t].1.len()
            && o.main_local.len() == main_width[t]
            && o.main_next.len() == next_sets[t].0.len()
            && o.aux_local.len() == aw
            && o.aux_next.len() == AUX_NEXT.columns(aw).len();
        if !ok {
            return Err(shape(format!(
                "table {t}: out-of-domain openings have the wrong widths"
            )));
        }
        if !has_aux[t] && !proof.claimed_sums[t].is_zero() {
            return Err(shape(format!(
                "table {t}: claimed sum without interactions"
            )));
        }
    }

    let mut transcript = Transcript::new(b"rvzk-stark");
    absorb_statement(&mut transcript, config, &proof.log_heights, public, vk);
    transcript.absorb_digest(b"main", &proof.main_commit);
    let lookup = if any_lookups {
        LookupChallenges {
            z: transcript.sample_ext(),
            b: transcript.sample_ext(),
        }
    } else {
        LookupChallenges {
            z: E::ZERO,
            b: E::ZERO,
        }
    };
    if let Some(a) = &proof.aux_commit {
        transcript.absorb_digest(b"aux", a);
    }
    transcript.absorb_ext(b"claimed-sums", &proof.claimed_sums);
    if any_lookups {
        let mut total: E = proof.claimed_sums.iter().copied().sum();
        for pi in public_interactions {
            let fp = lookup.fingerprint(pi.bus, &pi.values);
            let inv = fp.try_inverse().ok_or(StarkError::Unbalanced)?;
            total += signed(pi.direction, E::from(pi.multiplicity)) * inv;
        }
        if !total.is_zero() {
            return Err(StarkError::Unbalanced);
        }
    }
    let alpha = transcript.sample_ext();
    transcript.absorb_digest(b"quotient", &proof.quotient_commit);
    let zeta = transcript.sample_ext_avoiding(is_in_base_field);

    // Constraints at ζ: each table's α-combination, the tables of one group combined by
    // Horner's rule with α^K (K a table's constraint count), against the group's quotient.
    let mut acc = vec![E::ZERO; layout.groups.len()];
    for (g, group) in layout.groups.iter().enumerate() {
        for &t in &group.two_point {
            let table = tables[t];
            let o = &proof.opened[t];
            let sel = selectors_at(zeta, group.log_n);
            let coords = |v: &[E]| -> Vec<E> { v.chunks_exact(4).map(ext_from_coords).collect() };
            let (aux_local, aux_next) = (coords(&o.aux_local), coords(&o.aux_next));
            let w = table.width();
            // The next row: the opened columns; the AIR reads no other (zeros there).
            let spread = |cols: &[usize], v: &[E], width: usize| -> Vec<E> {
                let mut row = vec![E::ZERO; width];
                for (&c, &x) in cols.iter().zip(v) {
                    if let Some(r) = row.get_mut(c) {
                        *r = x;
                    }
                }
                row
            };
            let main_next = spread(&next_sets[t].0, &o.main_next, w);
            let prep_next = spread(&next_sets[t].1, &o.prep_next, o.prep_local.len());
            let window = Window {
                local: &o.main_local[..w],
                next: &main_next,
                prep_local: &o.prep_local,
                prep_next: &prep_next,
                public,
                first: sel.first,
                last: sel.last,
                transition: sel.transition,
            };
            let logup = LogUpRow {
                local: &aux_local,
                next: &aux_next,
                lookup: &lookup,
                sum_step: proof.claimed_sums[t] * super::inv_height(proof.log_heights[t]),
                blinding: &o.main_local[w..],
                groups: &groups[t],
                b_powers: &[],
            };
            let scale = alpha.pow(constraint_count(table, public, blinded[t]) as u64);
            acc[g] = acc[g] * scale + table.eval_ood(window, &logup, alpha);
        }
        // q(ζ) = Σ_c ζ^(c·len) q_c(ζ): the blinding terms of consecutive chunks cancel here.
        let zeta_len = zeta.pow(shapes[g].len as u64);
        let mut q = E::ZERO;
        let mut p = E::ONE;
        for chunk in quotient_slice(&proof.quotient_opened, &shapes, g).chunks_exact(4) {
            q += p * ext_from_coords(chunk);
            p *= zeta_len;
        }
        if acc[g] * selectors_at(zeta, group.log_n).inv_zeroifier != q {
            let names: Vec<String> = group.two_point.iter().map(|&t| tables[t].name()).collect();
            return Err(StarkError::OodMismatch {
                table: names.join(", "),
            });
        }
    }
    absorb_openings(
        &mut transcript,
        &proof.opened,
        &proof.quotient_opened,
        &proof.mask_opened,
    );
    let deep_alpha = transcript.sample_ext();

    // FRI, then the openings behind each query.
    let fri_heights = layout.fri_heights();
    let challenges =
        fri::verifier_challenges(&config.fri, &fri_heights, &proof.fri, &mut transcript)?;
    let log_max = fri_heights[0];
    let trace_dims = |t: usize, width: usize| Dims {
        width,
        height: 1 << layout.log_trace_lde(t),
    };
    let main_dims: Vec<Dims> = (0..nt).map(|t| trace_dims(t, main_width[t])).collect();
    let aux_dims: Vec<Dims> = (0..nt)
        .filter(|&t| has_aux[t])
        .map(|t| trace_dims(t, 4 * num_aux[t]))
        .collect();
    let prep_dims: Vec<Dims> = (0..nt)
        .filter_map(|t| vk.prep_widths[t].map(|w| trace_dims(t, w)))
        .collect();
    // Each group's quotient chunks, then the masks (one per FRI input height).
    let quot_dims: Vec<Dims> = layout
        .groups
        .iter()
        .zip(&shapes)
        .map(|(g, s)| Dims {
            width: 4 * s.count,
            height: 1 << g.log_lde,
        })
        .chain(layout.groups[..num_masks].iter().map(|g| Dims {
            width: 4,
            height: 1 << g.log_lde,
        }))
        .collect();
    let aux_index = index_of_present(&has_aux);
    let prep_index = index_of_present(
        &vk.prep_widths
            .iter()
            .map(|w| w.is_some())
            .collect::<Vec<_>>(),
    );
    // Each commitment's batch opening, checked once for all queries: returns, per query,
    // its leaf in the batch.
    let check = |root: &Digest,
                 dims: &[Dims],
                 salted: bool,
                 batch: &BatchOpening,
                 what: &'static str|
     -> Result<Vec<usize>, StarkError> {
        let max_h = dims.iter().map(|d| d.height).max().unwrap_or(1);
        let shift = log_max - max_h.trailing_zeros() as usize;
        let local: Vec<usize> = challenges.indices.iter().map(|&q| q >> shift).collect();
        mmcs::verify_batch(root, dims, salted, &local, batch)
            .map_err(|err| StarkError::Opening { what, err })
    };
    fn leaves(batch: &BatchOpening, at: Vec<usize>) -> Vec<&LeafOpening> {
        at.into_iter().map(|k| &batch.leaves[k]).collect()
    }
    let qo = &proof.queries;
    let main_rows = leaves(
        &qo.main,
        check(&proof.main_commit, &main_dims, zk, &qo.main, "main")?,
    );
    let quot_rows = leaves(
        &qo.quotient,
        check(
            &proof.quotient_commit,
            &quot_dims,
            zk,
            &qo.quotient,
            "quotient",
        )?,
    );
    let aux_rows = match (&proof.aux_commit, &qo.aux) {
        (Some(root), Some(b)) => Some(leaves(b, check(root, &aux_dims, zk, b, "aux")?)),
        (None, None) => None,
        _ => return Err(shape("aux openings present/absent wrongly")),
    };
    // The preprocessed commitment is public: never salted.
    let prep_rows = match (&vk.prep_root, &qo.prep) {
        (Some(root), Some(b)) => Some(leaves(
            b,
            check(root, &prep_dims, false, b, "preprocessed")?,
        )),
        (None, None) => None,
        _ => return Err(shape("preprocessed openings present/absent wrongly")),
    };
    let mut fri_inputs = Vec::with_capacity(challenges.indices.len());
    for (qi, &q) in challenges.indices.iter().enumerate() {
        let values = layout
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let row = q >> (log_max - group.log_lde);
                let x = F::GENERATOR
                    * F::two_adic_generator(group.log_lde)
                        .pow(reverse_bits_len(row, group.log_lde) as u64);
                // Rows and openings in DEEP order: each table's preprocessed, main and aux
                // columns, then the group's quotient chunks and mask (ζ only).
                let mut rows: Vec<(&[F], NextCols)> = Vec::new();
                let mut runs: Vec<DeepRun> = Vec::new();
                for &t in &group.two_point {
                    let (next_main, next_prep) = (&next_sets[t].0[..], &next_sets[t].1[..]);
                    // A present index implies the batch: both come from the same flags.
                    if let (Some(i), Some(r)) = (prep_index[t], &prep_rows) {
                        rows.push((&r[qi].rows[i], NextCols::Some(next_prep)));
                    }
                    rows.push((&main_rows[qi].rows[t], NextCols::Some(next_main)));
                    if let (Some(i), Some(r)) = (aux_index[t], &aux_rows) {
                        rows.push((&r[qi].rows[i], AUX_NEXT));
                    }
                    let o = &proof.opened[t];
                    runs.extend(table_runs(o, next_prep, next_main));
                }
                let mut ones = vec![(
                    &quot_rows[qi].rows[g][..],
                    quotient_slice(&proof.quotient_opened, &shapes, g),
                )];
                if zk {
                    ones.push((
                        &quot_rows[qi].rows[ng + g][..],
                        &proof.mask_opened[4 * g..4 * g + 4],
                    ));
                }
                for (r, v) in ones {
                    rows.push((r, NextCols::Some(&[])));
                    runs.push(DeepRun {
                        local: v,
                        next_cols: NextCols::Some(&[]),
                        next: &[],
                    });
                }
                let sums = deep_sums(&runs, deep_alpha);
                let width = rows.iter().map(|(r, _)| r.len()).sum();
                let (two_sum, one_sum) = deep_row_sums(&rows, &powers_of(deep_alpha, width));
                let xe = E::from(x);
                let inv_z = (xe - zeta)
                    .try_inverse()
                    .ok_or_else(|| shape("ζ on the domain"))?;
                let inv_zn = Some(
                    (xe - next_point(zeta, group.log_n))
                        .try_inverse()
                        .ok_or_else(|| shape("ζω on the domain"))?
                        * sums.alpha_m,
                );
                Ok(deep_value(&sums, two_sum, one_sum, inv_z, inv_zn))
            })
            .collect::<Result<Vec<E>, StarkError>>()?;
        fri_inputs.push(values);
    }
    fri::verify_queries(
        &config.fri,
        &fri_heights,
        &proof.fri,
        &challenges,
        &fri_inputs,
        // FRI layers are never salted: under zero-knowledge their codewords are masked.
        false,
    )?;
    Ok(())
}
