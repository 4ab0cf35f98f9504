//! A dense row-major matrix, the unit the NTT and Merkle kernels work on: one row per
//! evaluation point (or Merkle leaf), one column per polynomial.

/// A dense matrix stored row after row: element (r, c) is `values[r * width + c]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowMajorMatrix<T> {
    /// The elements, row after row; `values.len()` is a multiple of `width`.
    pub values: Vec<T>,
    /// The number of columns (at least 1).
    pub width: usize,
}

impl<T: Copy> RowMajorMatrix<T> {
    /// Wraps `values` as rows of `width` elements. Panics if `width` is 0 or does not divide
    /// the length.
    pub fn new(values: Vec<T>, width: usize) -> Self {
        assert!(width > 0, "matrix width must be positive");
        assert_eq!(
            values.len() % width,
            0,
            "length is not a multiple of the width"
        );
        Self { values, width }
    }

    /// A single column.
    pub fn new_col(values: Vec<T>) -> Self {
        Self::new(values, 1)
    }

    /// A matrix whose element (r, c) is `f(r, c)`.
    pub fn from_fn(height: usize, width: usize, mut f: impl FnMut(usize, usize) -> T) -> Self {
        let mut values = Vec::with_capacity(height * width);
        for r in 0..height {
            for c in 0..width {
                values.push(f(r, c));
            }
        }
        Self::new(values, width)
    }

    /// The number of rows.
    #[inline]
    pub fn height(&self) -> usize {
        self.values.len() / self.width
    }

    /// Row `r`.
    #[inline]
    pub fn row(&self, r: usize) -> &[T] {
        &self.values[r * self.width..(r + 1) * self.width]
    }

    /// Row `r`, mutably.
    #[inline]
    pub fn row_mut(&mut self, r: usize) -> &mut [T] {
        &mut self.values[r * self.width..(r + 1) * self.width]
    }

    /// The rows in order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[T]> + '_ {
        self.values.chunks_exact(self.width)
    }

    /// Element (r, c).
    #[inline]
    pub fn get(&self, r: usize, c: usize) -> T {
        assert!(c < self.width);
        self.values[r * self.width + c]
    }

    /// Column `c`, copied out.
    pub fn column(&self, c: usize) -> Vec<T> {
        assert!(c < self.width);
        self.values
            .iter()
            .skip(c)
            .step_by(self.width)
            .copied()
            .collect()
    }

    /// The transpose (rows become columns). Simple, for tests and small matrices.
    pub fn transpose(&self) -> Self {
        let (h, w) = (self.height(), self.width);
        if h == 0 {
            return Self {
                values: Vec::new(),
                width: w.max(1),
            };
        }
        Self::from_fn(w, h, |r, c| self.values[c * w + r])
    }
}

/// An empty vector with capacity for `n` elements whose pages are already mapped, for a big
/// buffer that is about to be overwritten entirely (an LDE output, Merkle layers).
///
/// A fresh allocation is otherwise faulted in one 4 KiB page at a time on first write; on
/// the machines measured that costs about as much as an NTT pass over the same memory.
/// `madvise(MADV_POPULATE_WRITE)` maps the pages in bulk instead, split across the rayon
/// pool. It is only a hint: on failure, other systems, or small sizes nothing happens.
pub(crate) fn prefaulted_vec<T>(n: usize) -> Vec<T> {
    let v: Vec<T> = Vec::with_capacity(n);
    let bytes = n * core::mem::size_of::<T>();
    if bytes >= PREFAULT_MIN_BYTES {
        const CHUNK: usize = 4 << 20;
        let (start, end) = (v.as_ptr() as usize, v.as_ptr() as usize + bytes);
        let first = start.next_multiple_of(4096);
        use rayon::prelude::*;
        (first..end)
            .step_by(CHUNK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .for_each(|a| {
                populate_write(a, (a + CHUNK).min(end) - a);
            });
    }
    v
}

/// Buffers below this size are left to ordinary page faults.
const PREFAULT_MIN_BYTES: usize = 8 << 20;

/// `madvise(addr, len, MADV_POPULATE_WRITE)`; `addr` page-aligned, inside our allocation.
fn populate_write(addr: usize, len: usize) {
    #[cfg(target_os = "linux")]
    // SAFETY: MADV_POPULATE_WRITE only pre-maps pages of a range we own, as a first write
    // would; it changes no contents and no Rust-visible state. Kernels older than 5.14 reject
    // the advice with EINVAL, which is fine to ignore: the pages then fault in as usual.
    unsafe {
        libc::madvise(addr as *mut libc::c_void, len, libc::MADV_POPULATE_WRITE);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (addr, len);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_access() {
        let m = RowMajorMatrix::from_fn(3, 2, |r, c| 10 * r + c);
        assert_eq!(m.height(), 3);
        assert_eq!(m.row(1), &[10, 11]);
        assert_eq!(m.get(2, 1), 21);
        assert_eq!(m.column(1), vec![1, 11, 21]);
        let t = m.transpose();
        assert_eq!((t.height(), t.width), (2, 3));
        assert_eq!(t.row(1), &[1, 11, 21]);
        assert_eq!(t.transpose(), m);
    }

    #[test]
    #[should_panic]
    fn ragged_values_rejected() {
        let _ = RowMajorMatrix::new(vec![1, 2, 3], 2);
    }
}
