//! Loading and checking RV32IM ELF files into a [`Program`].
//!
//! The loader is strict: anything the executor, the circuit or a board could disagree about is
//! rejected here with an error that names the segment and the addresses involved.

use goblin::elf::{header, program_header, sym, Elf};
use std::fmt;

use crate::abi::{MEM_BASE, MEM_TOP};

/// `e_flags` bit: the ELF uses compressed (RVC) instructions.
const EF_RISCV_RVC: u32 = 0x1;
/// `e_flags` bits: the floating-point ABI (0 = soft float).
const EF_RISCV_FLOAT_ABI: u32 = 0x6;
/// `e_flags` bit: the RV32E base ISA.
const EF_RISCV_RVE: u32 = 0x8;

/// A loadable segment of a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Index of the program header this segment came from.
    pub index: usize,
    /// First guest address.
    pub vaddr: u32,
    /// Size in guest memory; bytes past `data.len()` are zero.
    pub memsz: u32,
    /// Bytes loaded from the file (`p_filesz` of them).
    pub data: Vec<u8>,
    /// Whether instructions may be fetched from this segment.
    pub executable: bool,
    /// Whether the segment is marked writable.
    pub writable: bool,
}

impl Segment {
    /// One past the last guest address.
    pub fn end(&self) -> u32 {
        self.vaddr + self.memsz
    }

    /// Whether `addr` falls inside the segment.
    pub fn contains(&self, addr: u32) -> bool {
        addr >= self.vaddr && addr < self.end()
    }
}

/// A symbol from the ELF symbol table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// Demangling is not attempted: guests are C and assembly.
    pub name: String,
    /// Symbol value (address).
    pub addr: u32,
    /// Size in bytes (0 when the ELF does not say).
    pub size: u32,
    /// Whether the symbol is a function.
    pub is_function: bool,
}

/// A checked RV32IM program: entry point, loadable segments and symbols.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// Entry point (the first pc).
    pub entry: u32,
    /// Loadable segments, sorted by address, non-overlapping, inside guest memory.
    pub segments: Vec<Segment>,
    /// Symbols sorted by address.
    pub symbols: Vec<Symbol>,
}

/// Why an ELF was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    /// The bytes do not parse as an ELF file at all.
    #[error("not a valid ELF file: {0}")]
    Malformed(String),
    /// A header field has a value rvzk does not run.
    #[error("unsupported ELF: {field} is {found}, rvzk needs {expected}")]
    Unsupported {
        /// The header field.
        field: &'static str,
        /// What the file says.
        found: String,
        /// What rvzk needs.
        expected: &'static str,
    },
    /// A segment's file bytes lie outside the file.
    #[error(
        "segment {index}: file bytes [{offset:#x}, +{filesz:#x}) lie past the end of the file ({file_len:#x} bytes)"
    )]
    SegmentPastFileEnd {
        /// Program header index.
        index: usize,
        /// `p_offset`.
        offset: u64,
        /// `p_filesz`.
        filesz: u64,
        /// Length of the file.
        file_len: usize,
    },
    /// `p_filesz > p_memsz`.
    #[error(
        "segment {index} at {vaddr:#010x}: filesz {filesz:#x} is larger than memsz {memsz:#x}"
    )]
    FileszAboveMemsz {
        /// Program header index.
        index: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_filesz`.
        filesz: u64,
        /// `p_memsz`.
        memsz: u64,
    },
    /// A segment reaches outside guest memory.
    #[error(
        "segment {index}: [{start:#010x}, {end:#010x}) is outside guest memory [{MEM_BASE:#010x}, {mem_top:#010x})"
    )]
    SegmentOutsideMemory {
        /// Program header index.
        index: usize,
        /// First address.
        start: u64,
        /// One past the last address.
        end: u64,
        /// Top of guest memory it was checked against.
        mem_top: u32,
    },
    /// Two segments share addresses.
    #[error(
        "segment {second} [{second_start:#010x}, {second_end:#010x}) overlaps segment {first} [{first_start:#010x}, {first_end:#010x})"
    )]
    SegmentsOverlap {
        /// Index of the lower segment.
        first: usize,
        /// Its first address.
        first_start: u32,
        /// Its end.
        first_end: u32,
        /// Index of the higher segment.
        second: usize,
        /// Its first address.
        second_start: u32,
        /// Its end.
        second_end: u32,
    },
    /// An executable segment does not start on a 4-byte boundary.
    #[error("segment {index}: executable segment starts at {vaddr:#010x}, not a multiple of 4")]
    MisalignedCode {
        /// Program header index.
        index: usize,
        /// `p_vaddr`.
        vaddr: u32,
    },
    /// No PT_LOAD segment.
    #[error("no loadable (PT_LOAD) segment")]
    NoSegments,
    /// The entry point is not inside an executable segment, or not aligned.
    #[error("entry point {entry:#010x} {why}")]
    BadEntry {
        /// `e_entry`.
        entry: u64,
        /// What is wrong with it.
        why: &'static str,
    },
}

impl Program {
    /// Parse and check an ELF against the software executor's memory ([`MEM_TOP`]).
    pub fn load(bytes: &[u8]) -> Result<Program, ElfError> {
        Self::load_with_mem_top(bytes, MEM_TOP)
    }

    /// Parse and check an ELF against guest memory `[MEM_BASE, mem_top)` (a board's RAM size).
    pub fn load_with_mem_top(bytes: &[u8], mem_top: u32) -> Result<Program, ElfError> {
        // Check the identification bytes ourselves first: goblin would happily parse a 64-bit
        // or big-endian file, and we want to name exactly what is wrong.
        check_ident(bytes)?;
        let elf = Elf::parse(bytes).map_err(|e| ElfError::Malformed(e.to_string()))?;
        check_header(&elf)?;

        let mut segments = Vec::new();
        for (index, ph) in elf.program_headers.iter().enumerate() {
            if ph.p_type != program_header::PT_LOAD {
                continue;
            }
            if ph.p_filesz > ph.p_memsz {
                return Err(ElfError::FileszAboveMemsz {
                    index,
                    vaddr: ph.p_vaddr,
                    filesz: ph.p_filesz,
                    memsz: ph.p_memsz,
                });
            }
            if ph.p_memsz == 0 {
                continue;
            }
            let start = ph.p_vaddr;
            let end = start.saturating_add(ph.p_memsz);
            if start < u64::from(MEM_BASE) || end > u64::from(mem_top) {
                return Err(ElfError::SegmentOutsideMemory {
                    index,
                    start,
                    end,
                    mem_top,
                });
            }
            let file_end = ph.p_offset.checked_add(ph.p_filesz);
            let data = match file_end {
                Some(fe) if fe <= bytes.len() as u64 => {
                    bytes[ph.p_offset as usize..fe as usize].to_vec()
                }
                _ => {
                    return Err(ElfError::SegmentPastFileEnd {
                        index,
                        offset: ph.p_offset,
                        filesz: ph.p_filesz,
                        file_len: bytes.len(),
                    })
                }
            };
            let executable = ph.p_flags & program_header::PF_X != 0;
            if executable && start % 4 != 0 {
                return Err(ElfError::MisalignedCode {
                    index,
                    vaddr: start as u32,
                });
            }
            segments.push(Segment {
                index,
                vaddr: start as u32,
                memsz: ph.p_memsz as u32,
                data,
                executable,
                writable: ph.p_flags & program_header::PF_W != 0,
            });
        }
        if segments.is_empty() {
            return Err(ElfError::NoSegments);
        }
        segments.sort_by_key(|s| s.vaddr);
        for pair in segments.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if b.vaddr < a.end() {
                return Err(ElfError::SegmentsOverlap {
                    first: a.index,
                    first_start: a.vaddr,
                    first_end: a.end(),
                    second: b.index,
                    second_start: b.vaddr,
                    second_end: b.end(),
                });
            }
        }

        let entry = elf.entry;
        let in_code = segments
            .iter()
            .any(|s| s.executable && u64::from(s.vaddr) <= entry && entry < u64::from(s.end()));
        if !in_code {
            return Err(ElfError::BadEntry {
                entry,
                why: "is not inside an executable segment",
            });
        }
        if entry % 4 != 0 {
            return Err(ElfError::BadEntry {
                entry,
                why: "is not a multiple of 4",
            });
        }

        Ok(Program {
            entry: entry as u32,
            segments,
            symbols: read_symbols(&elf),
        })
    }

    /// Address of the symbol called `name`, if the ELF has one.
    pub fn symbol(&self, name: &str) -> Option<u32> {
        self.symbols.iter().find(|s| s.name == name).map(|s| s.addr)
    }

    /// The function symbol whose range contains `addr` (or the nearest function below it when
    /// sizes are missing).
    pub fn function_at(&self, addr: u32) -> Option<&Symbol> {
        let funcs = self.symbols.iter().filter(|s| s.is_function || s.size == 0);
        let best = funcs.filter(|s| s.addr <= addr).max_by_key(|s| s.addr)?;
        (best.size == 0 || addr < best.addr.wrapping_add(best.size)).then_some(best)
    }

    /// The executable segments.
    pub fn code_segments(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(|s| s.executable)
    }

    /// Total bytes of guest memory the segments occupy.
    pub fn loaded_bytes(&self) -> u64 {
        self.segments.iter().map(|s| u64::from(s.memsz)).sum()
    }
}

fn check_ident(bytes: &[u8]) -> Result<(), ElfError> {
    if bytes.len() < header::SIZEOF_IDENT {
        return Err(ElfError::Malformed(format!(
            "file is {} bytes, too short for an ELF header",
            bytes.len()
        )));
    }
    if &bytes[..4] != header::ELFMAG {
        return Err(ElfError::Malformed(
            "missing ELF magic bytes 7f 45 4c 46 at offset 0".into(),
        ));
    }
    if bytes[header::EI_CLASS] != header::ELFCLASS32 {
        return Err(ElfError::Unsupported {
            field: "EI_CLASS (byte 4)",
            found: match bytes[header::EI_CLASS] {
                header::ELFCLASS64 => "64-bit".into(),
                c => format!("{c}"),
            },
            expected: "32-bit (ELFCLASS32)",
        });
    }
    if bytes[header::EI_DATA] != header::ELFDATA2LSB {
        return Err(ElfError::Unsupported {
            field: "EI_DATA (byte 5)",
            found: match bytes[header::EI_DATA] {
                header::ELFDATA2MSB => "big-endian".into(),
                d => format!("{d}"),
            },
            expected: "little-endian (ELFDATA2LSB)",
        });
    }
    Ok(())
}

fn check_header(elf: &Elf) -> Result<(), ElfError> {
    let h = &elf.header;
    if h.e_machine != header::EM_RISCV {
        return Err(ElfError::Unsupported {
            field: "e_machine",
            found: format!("{} ({})", header::machine_to_str(h.e_machine), h.e_machine),
            expected: "RISC-V (243)",
        });
    }
    if h.e_type != header::ET_EXEC {
        return Err(ElfError::Unsupported {
            field: "e_type",
            found: header::et_to_str(h.e_type).into(),
            expected: "an executable (ET_EXEC)",
        });
    }
    if h.e_flags & EF_RISCV_RVC != 0 {
        return Err(ElfError::Unsupported {
            field: "e_flags",
            found: format!("{:#x} (compressed instructions, RVC)", h.e_flags),
            expected: "RV32IM without C: compile with -march=rv32im",
        });
    }
    if h.e_flags & EF_RISCV_RVE != 0 {
        return Err(ElfError::Unsupported {
            field: "e_flags",
            found: format!("{:#x} (RV32E)", h.e_flags),
            expected: "RV32I base with 32 registers",
        });
    }
    if h.e_flags & EF_RISCV_FLOAT_ABI != 0 {
        return Err(ElfError::Unsupported {
            field: "e_flags",
            found: format!("{:#x} (hardware floating-point ABI)", h.e_flags),
            expected: "soft-float ABI: compile with -mabi=ilp32",
        });
    }
    Ok(())
}

fn read_symbols(elf: &Elf) -> Vec<Symbol> {
    let mut out: Vec<Symbol> = elf
        .syms
        .iter()
        .filter(|s| s.st_shndx != 0 && matches!(s.st_type(), sym::STT_FUNC | sym::STT_NOTYPE))
        .filter_map(|s| {
            let name = elf.strtab.get_at(s.st_name)?;
            // Skip assembler-local labels and mapping symbols.
            if name.is_empty() || name.starts_with(".L") || name.starts_with('$') {
                return None;
            }
            Some(Symbol {
                name: name.to_string(),
                addr: s.st_value as u32,
                size: s.st_size as u32,
                is_function: s.st_type() == sym::STT_FUNC,
            })
        })
        .collect();
    out.sort_by(|a, b| a.addr.cmp(&b.addr).then_with(|| a.name.cmp(&b.name)));
    out
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "entry {:#010x}", self.entry)?;
        for s in &self.segments {
            writeln!(
                f,
                "segment {} [{:#010x}, {:#010x}) {}{} filesz {:#x}",
                s.index,
                s.vaddr,
                s.end(),
                if s.executable { "x" } else { "-" },
                if s.writable { "w" } else { "-" },
                s.data.len()
            )?;
        }
        Ok(())
    }
}

impl Program {
    /// A program made of one executable segment holding `words` at `base` (entry = `base`),
    /// plus optional extra segments. For tests and tools that build programs without a
    /// compiler.
    pub fn from_words(base: u32, words: &[u32], extra: Vec<Segment>) -> Program {
        let mut segments = vec![Segment {
            index: 0,
            vaddr: base,
            memsz: 4 * words.len() as u32,
            data: words.iter().flat_map(|w| w.to_le_bytes()).collect(),
            executable: true,
            writable: false,
        }];
        segments.extend(extra);
        for (i, s) in segments.iter_mut().enumerate() {
            s.index = i;
        }
        segments.sort_by_key(|s| s.vaddr);
        Program {
            entry: base,
            segments,
            symbols: Vec::new(),
        }
    }

    /// Write the program as a minimal ELF32 RISC-V executable: header, one PT_LOAD program
    /// header per segment (in `segments` order), then the segment bytes. No section headers,
    /// so symbols are not kept. [`Program::load`] of the result gives back the same segments.
    pub fn to_elf_bytes(&self) -> Vec<u8> {
        const EHSIZE: usize = 52;
        const PHENTSIZE: usize = 32;
        let phoff = EHSIZE;
        let mut data_off = phoff + PHENTSIZE * self.segments.len();
        let mut out = Vec::new();
        // e_ident
        out.extend_from_slice(b"\x7fELF");
        out.extend_from_slice(&[header::ELFCLASS32, header::ELFDATA2LSB, 1, 0]);
        out.extend_from_slice(&[0u8; 8]);
        let h16 = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_le_bytes());
        let h32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
        h16(&mut out, header::ET_EXEC);
        h16(&mut out, header::EM_RISCV);
        h32(&mut out, 1); // e_version
        h32(&mut out, self.entry);
        h32(&mut out, phoff as u32);
        h32(&mut out, 0); // e_shoff
        h32(&mut out, 0); // e_flags: soft float, no RVC
        h16(&mut out, EHSIZE as u16);
        h16(&mut out, PHENTSIZE as u16);
        h16(&mut out, self.segments.len() as u16);
        h16(&mut out, 40); // e_shentsize
        h16(&mut out, 0); // e_shnum
        h16(&mut out, 0); // e_shstrndx
        for s in &self.segments {
            let flags = program_header::PF_R
                | if s.executable {
                    program_header::PF_X
                } else {
                    0
                }
                | if s.writable { program_header::PF_W } else { 0 };
            h32(&mut out, program_header::PT_LOAD);
            h32(&mut out, data_off as u32);
            h32(&mut out, s.vaddr);
            h32(&mut out, s.vaddr); // p_paddr
            h32(&mut out, s.data.len() as u32);
            h32(&mut out, s.memsz);
            h32(&mut out, flags);
            h32(&mut out, 4); // p_align
            data_off += s.data.len();
        }
        for s in &self.segments {
            out.extend_from_slice(&s.data);
        }
        out
    }
}
