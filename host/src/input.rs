//! Loading guest ELFs and private input from the command line.

use anyhow::{bail, Context, Result};
use rvzk_zkvm::elf::Program;
use std::io::Read;
use std::path::Path;

/// Read and check an ELF; errors name the file.
pub fn load_program(path: &Path) -> Result<Program> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Program::load(&bytes).with_context(|| format!("{}: rejected", path.display()))
}

/// The private input: a file (`-` for standard input), a list of u32 words, or nothing.
pub fn read_input(file: Option<&Path>, words: Option<&str>) -> Result<Vec<u8>> {
    match (file, words) {
        (Some(_), Some(_)) => bail!("give either --input or --input-u32, not both"),
        (Some(p), None) if p == Path::new("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("reading the input from standard input")?;
            Ok(buf)
        }
        (Some(p), None) => {
            std::fs::read(p).with_context(|| format!("{}: cannot read input", p.display()))
        }
        (None, Some(list)) => parse_u32_list(list),
        (None, None) => Ok(Vec::new()),
    }
}

/// Parse `"3,5,0x10"` into little-endian bytes.
pub fn parse_u32_list(list: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for (i, item) in list.split(',').enumerate() {
        let item = item.trim();
        let value = match item.strip_prefix("0x").or_else(|| item.strip_prefix("0X")) {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => item.parse::<u32>(),
        }
        .with_context(|| format!("--input-u32: item {} ({item:?}) is not a u32", i + 1))?;
        out.extend_from_slice(&value.to_le_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u32_lists() {
        assert_eq!(
            parse_u32_list("1, 0x100").unwrap(),
            [1, 0, 0, 0, 0, 1, 0, 0]
        );
        let e = parse_u32_list("1,x").unwrap_err().to_string();
        assert!(e.contains("item 2"), "{e}");
        assert!(parse_u32_list("4294967296").is_err());
    }
}
