//! Loading and checking RV32IM ELF files.
