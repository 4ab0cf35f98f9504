use rvzk_zkvm::field::BabyBear;
use rvzk_zkvm::matrix::RowMajorMatrix;
use rvzk_zkvm::ntt::{Dft, Radix2Dft};
use std::time::Instant;
fn main() {
    let d = Radix2Dft::new();
    for (h, w, bits) in [
        (18u32, 32usize, 0usize),
        (18, 32, 1),
        (18, 32, 2),
        (20, 32, 0),
        (16, 256, 0),
    ] {
        let m = RowMajorMatrix::new((0..(w << h) as u32).map(BabyBear::new).collect(), w);
        let _ = d.coset_lde_batch(m.clone(), bits);
        let t = Instant::now();
        let _ = d.coset_lde_batch(m.clone(), bits);
        let a = t.elapsed();
        let t = Instant::now();
        let _ = d.dft_batch(m.clone());
        let b = t.elapsed();
        let t = Instant::now();
        let v: Vec<BabyBear> = Vec::with_capacity((w << h) << bits);
        let mut v = v;
        v.resize((w << h) << bits, BabyBear::new(1));
        let c = t.elapsed();
        println!("h=2^{h} w={w} bits={bits}: lde {a:?} dft {b:?} alloc+fill {c:?}");
    }
}
