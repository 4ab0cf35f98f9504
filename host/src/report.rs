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

/// Print the journal as `rvzk run` shows it: its length, then hex, text when printable and
/// little-endian u32 words (the first 16) when its length is a multiple of 4.
pub fn print_journal(journal: &[u8]) {
    println!("journal    {} bytes", journal.len());
    if journal.is_empty() {
        return;
    }
    println!("  hex      {}", hex(journal));
    if let Some(text) = printable(journal) {
        println!("  text     {text:?}");
    }
    if let Some(w) = words(journal) {
        let shown: Vec<String> = w.iter().take(16).map(|v| v.to_string()).collect();
        let more = if w.len() > 16 { ", …" } else { "" };
        println!("  u32 LE   [{}{more}]", shown.join(", "));
    }
}

/// The exit code as the text reports show it: `0 (success)` or `N (failure)`.
pub fn exit_status(code: u32) -> String {
    if code == 0 {
        "0 (success)".to_string()
    } else {
        format!("{code} (failure)")
    }
}

/// The process's peak resident set size so far (`VmHWM` in `/proc/self/status`), in bytes;
/// `None` where that file does not exist.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line["VmHWM:".len()..]
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
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
        assert_eq!(exit_status(0), "0 (success)");
        assert_eq!(exit_status(3), "3 (failure)");
        assert_eq!(mib(3 << 19), "1.5 MiB");
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let rss = peak_rss_bytes().expect("VmHWM");
            assert!(rss > 1 << 20, "{rss}");
        }
    }
}
