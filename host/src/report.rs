//! Human-readable renderings shared by the subcommands.

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The journal as text, if it is non-empty printable UTF-8 (tabs and newlines allowed).
pub fn printable(bytes: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(bytes).ok()?;
    let ok = !s.is_empty() && s.chars().all(|c| !c.is_control() || c == '\n' || c == '\t');
    ok.then_some(s)
}

/// The journal read as little-endian u32 words, when its length is a multiple of 4.
pub fn words(bytes: &[u8]) -> Option<Vec<u32>> {
    (!bytes.is_empty() && bytes.len().is_multiple_of(4)).then(|| {
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderings() {
        assert_eq!(hex(&[0, 0xab]), "00ab");
        assert_eq!(printable(b"hi\n"), Some("hi\n"));
        assert_eq!(printable(&[0x0f, 0, 0, 0]), None);
        assert_eq!(printable(b""), None);
        assert_eq!(words(&[1, 0, 0, 0, 2, 0, 0, 0]), Some(vec![1, 2]));
        assert_eq!(words(&[1, 0, 0]), None);
    }
}
