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
