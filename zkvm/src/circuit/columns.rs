//! Named columns: a `#[repr(C)]` struct of cells, viewed over a row slice, with a name for
//! every cell (for `docs/circuit.md`, error messages and the under-constraint tests).

/// Define a column struct `$name<T>` whose fields are `T` or arrays of `T`, with
/// `WIDTH`, `view(&[T])`, `view_mut(&mut [T])` and `names()`.
macro_rules! columns {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug)]
        pub struct $name<T> {
            $($(#[$fmeta])* pub $field: $ty),*
        }

        impl<T: Copy + Default> Default for $name<T> {
            fn default() -> Self {
                let cells = vec![T::default(); Self::WIDTH];
                *Self::view(&cells)
            }
        }

        impl<T> $name<T> {
            /// Number of columns.
            pub const WIDTH: usize = core::mem::size_of::<$name<u8>>();

            /// The columns of one row.
            pub fn view(row: &[T]) -> &$name<T> {
                assert_eq!(row.len(), Self::WIDTH, "row width");
                // SAFETY: `$name<T>` is `repr(C)` and made only of `T`s (arrays included), so
                // it has the size and alignment of `[T; WIDTH]`.
                unsafe { &*(row.as_ptr() as *const $name<T>) }
            }

            /// The cells in column order (the inverse of `view`).
            pub fn as_slice(&self) -> &[T] {
                // SAFETY: as in `view`.
                unsafe { core::slice::from_raw_parts(self as *const Self as *const T, Self::WIDTH) }
            }

            /// The columns of one row, mutable.
            pub fn view_mut(row: &mut [T]) -> &mut $name<T> {
                assert_eq!(row.len(), Self::WIDTH, "row width");
                // SAFETY: as in `view`.
                unsafe { &mut *(row.as_mut_ptr() as *mut $name<T>) }
            }
        }

        impl $name<u8> {
            /// The name of every column, in order (`field` or `field[i]`).
            pub fn names() -> Vec<String> {
                #[allow(dead_code)]
                type T = u8;
                let mut out = Vec::new();
                $(
                    let n = core::mem::size_of::<$ty>();
                    if n == 1 && stringify!($ty) == "T" {
                        out.push(stringify!($field).to_string());
                    } else {
                        for i in 0..n {
                            out.push(format!("{}[{}]", stringify!($field), i));
                        }
                    }
                )*
                out
            }
        }
    };
}

pub(crate) use columns;
