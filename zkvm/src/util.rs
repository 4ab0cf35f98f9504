//! Small helpers shared by the proof system.

/// Reverse the low `bits` bits of `x`.
#[inline]
pub fn reverse_bits_len(x: usize, bits: usize) -> usize {
    if bits == 0 {
        0
    } else {
        x.reverse_bits() >> (usize::BITS as usize - bits)
    }
}

/// Permute `v` (length a power of two) into bit-reversed index order, in place.
pub fn reverse_slice_index_bits<T>(v: &mut [T]) {
    let n = v.len();
    assert!(n.is_power_of_two(), "length {n} is not a power of two");
    let bits = n.trailing_zeros() as usize;
    for i in 0..n {
        let j = reverse_bits_len(i, bits);
        if i < j {
            v.swap(i, j);
        }
    }
}

/// Permute the rows of a row-major matrix of width `width` into bit-reversed order.
pub fn reverse_matrix_rows<T: Copy + Send>(values: &mut [T], width: usize) {
    let n = values.len() / width;
    assert!(n.is_power_of_two(), "height {n} is not a power of two");
    let bits = n.trailing_zeros() as usize;
    for i in 0..n {
        let j = reverse_bits_len(i, bits);
        if i < j {
            let (a, b) = values.split_at_mut(j * width);
            a[i * width..(i + 1) * width].swap_with_slice(&mut b[..width]);
        }
    }
}

/// log2 of a power of two.
#[inline]
pub fn log2_strict(n: usize) -> usize {
    assert!(n.is_power_of_two(), "{n} is not a power of two");
    n.trailing_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_reversal() {
        assert_eq!(reverse_bits_len(1, 3), 4);
        assert_eq!(reverse_bits_len(6, 3), 3);
        assert_eq!(reverse_bits_len(5, 0), 0);
        let mut v: Vec<usize> = (0..8).collect();
        reverse_slice_index_bits(&mut v);
        assert_eq!(v, [0, 4, 2, 6, 1, 5, 3, 7]);
        let mut m: Vec<usize> = (0..16).collect();
        reverse_matrix_rows(&mut m, 2);
        assert_eq!(m, [0, 1, 8, 9, 4, 5, 12, 13, 2, 3, 10, 11, 6, 7, 14, 15]);
    }
}
