//! Load/store unit: effective address and its checks (execute stage), and the byte-lane
//! work on the addressed word (write-back stage).
//!
//! Memory is a RAM of 32-bit words, and every access is one aligned word: a load extracts
//! and extends its lanes from the word read; a store merges its lanes into the old word
//! (read first — the trace needs the whole old word anyway) and writes the whole new word.

use rust_hdl::prelude::*;

/// The lowest guest address (`zkvm::abi::MEM_BASE`).
pub const MEM_BASE: u64 = 0x1000;

/// Load/store unit. The `e_*`-free ports are the execute-stage half (address and checks),
/// the `w_*` ports the write-back half (lanes of the word).
#[derive(LogicBlock)]
pub struct LoadStoreUnit {
    /// Base register (rs1).
    pub base: Signal<In, Bits<32>>,
    /// Sign-extended offset.
    pub offset: Signal<In, Bits<32>>,
    /// The access's `funct3[1:0]`: 0 byte, 1 halfword, 2 word.
    pub width: Signal<In, Bits<2>>,
    /// First byte of the code.
    pub code_lo: Signal<In, Bits<32>>,
    /// One past the last byte of the code.
    pub code_hi: Signal<In, Bits<32>>,
    /// Effective address `base + offset` (also the JALR target before bit 0 is cleared).
    pub addr: Signal<Out, Bits<32>>,
    /// The address is not a multiple of the width.
    pub misaligned: Signal<Out, Bit>,
    /// An aligned access at `addr` leaves guest memory `[MEM_BASE, mem_top)`.
    pub out_of_range: Signal<Out, Bit>,
    /// An aligned store at `addr` would write code (meaningful when not `out_of_range`).
    pub in_code: Signal<Out, Bit>,
    /// Write-back: the access's low address bits.
    pub w_lane: Signal<In, Bits<2>>,
    /// Write-back: the access's `funct3`.
    pub w_funct3: Signal<In, Bits<3>>,
    /// Write-back: the whole addressed word (loaded, or the old word of a store).
    pub w_word: Signal<In, Bits<32>>,
    /// Write-back: the store's rs2.
    pub w_store_data: Signal<In, Bits<32>>,
    /// Write-back: the access is a store (otherwise `store_word` is `w_word` unchanged).
    pub w_store: Signal<In, Bit>,
    /// Write-back: the loaded value, extended.
    pub load_value: Signal<Out, Bits<32>>,
    /// Write-back: the word after the store.
    pub store_word: Signal<Out, Bits<32>>,
    /// Write-back: the byte lanes accessed.
    pub mask: Signal<Out, Bits<4>>,
    below_base: Constant<Bits<32>>,
    above_top: Constant<Bits<32>>,
    bound_bits: Constant<Bits<32>>,
    shift: Signal<Local, Bits<32>>,
    lanes: Signal<Local, Bits<32>>,
    shifted: Signal<Local, Bits<32>>,
    repeated: Signal<Local, Bits<32>>,
    /// The compact build's store merge: the stored byte or halfword repeated, no shifter.
    repeat_bytes: Constant<Bit>,
}

impl LoadStoreUnit {
    /// A unit for guest memory `[MEM_BASE, mem_top)`; `mem_top` is a power of two, and the
    /// code bounds are at most `mem_top`.
    pub fn new(mem_top: u32) -> Self {
        assert!(mem_top.is_power_of_two() && mem_top > MEM_BASE as u32);
        Self {
            base: Default::default(),
            offset: Default::default(),
            width: Default::default(),
            code_lo: Default::default(),
            code_hi: Default::default(),
            addr: Default::default(),
            misaligned: Default::default(),
            out_of_range: Default::default(),
            in_code: Default::default(),
            w_lane: Default::default(),
            w_funct3: Default::default(),
            w_word: Default::default(),
            w_store_data: Default::default(),
            w_store: Default::default(),
            load_value: Default::default(),
            store_word: Default::default(),
            mask: Default::default(),
            below_base: Constant::new((!(MEM_BASE - 1) & 0xffff_ffff).into()),
            above_top: Constant::new((!(mem_top as u64 - 1) & 0xffff_ffff).into()),
            bound_bits: Constant::new((2 * mem_top as u64 - 1).into()),
            shift: Default::default(),
            lanes: Default::default(),
            shifted: Default::default(),
            repeated: Default::default(),
            repeat_bytes: Constant::new(false),
        }
    }

    /// The same with the compact build's store merge: the stored byte or halfword repeated
    /// across the word, the lanes picking the copy in place (an access is aligned), instead
    /// of shifted into place (the same word, about 20 LUT4 fewer on the iCE40).
    pub fn repeating_stores(mut self) -> Self {
        self.repeat_bytes = Constant::new(true);
        self
    }
}

impl Logic for LoadStoreUnit {
    #[hdl_gen]
    fn update(&mut self) {
        // Execute stage. For an aligned access of at most 4 bytes and a mem_top that is a
        // multiple of 4, "every byte below mem_top" is just "addr below mem_top"; and since
        // code starts on a multiple of 4, "any byte in code" is "addr in [code_lo, code_hi)".
        self.addr.next = self.base.val() + self.offset.val();
        self.misaligned.next = false;
        if self.width.val() == 1 {
            self.misaligned.next = self.addr.val().get_bit(0);
        } else if self.width.val() == 2 {
            self.misaligned.next = self.addr.val().get_bits::<2>(0).any();
        }
        // Both bounds are powers of two: bit tests, no comparators. The code check only
        // matters inside memory, so it compares the low address bits alone.
        self.out_of_range.next = !(self.addr.val() & self.below_base.val()).any()
            || (self.addr.val() & self.above_top.val()).any();
        self.in_code.next = ((self.addr.val() & self.bound_bits.val())
            >= (self.code_lo.val() & self.bound_bits.val()))
            && ((self.addr.val() & self.bound_bits.val())
                < (self.code_hi.val() & self.bound_bits.val()));

        // Write-back stage: everything is the word's lanes moved by 8 * lane bits.
        self.shift.next = bit_cast::<32, 2>(self.w_lane.val()) << 3;
        self.mask.next = 15.into();
        self.lanes.next = 0xffff_ffff_u64.into();
        if self.w_funct3.val().get_bits::<2>(0) == 0 {
            self.mask.next = bits::<4>(1) << self.w_lane.val();
            self.lanes.next = bits::<32>(0xff) << self.shift.val();
        } else if self.w_funct3.val().get_bits::<2>(0) == 1 {
            self.mask.next = bits::<4>(3) << self.w_lane.val();
            self.lanes.next = bits::<32>(0xffff) << self.shift.val();
        }
        // A load's "word after" is its word before: no lanes replaced.
        if !self.w_store.val() {
            self.lanes.next = 0.into();
        }
        // (see repeating_stores)
        self.repeated.next = self.w_store_data.val() << self.shift.val();
        if self.repeat_bytes.val() {
            self.repeated.next = self.w_store_data.val();
        }
        if self.repeat_bytes.val() && (self.w_funct3.val().get_bits::<2>(0) == 0) {
            self.repeated.next = bit_cast::<32, 8>(self.w_store_data.val().get_bits::<8>(0))
                | (bit_cast::<32, 8>(self.w_store_data.val().get_bits::<8>(0)) << 8)
                | (bit_cast::<32, 8>(self.w_store_data.val().get_bits::<8>(0)) << 16)
                | (bit_cast::<32, 8>(self.w_store_data.val().get_bits::<8>(0)) << 24);
        } else if self.repeat_bytes.val() && (self.w_funct3.val().get_bits::<2>(0) == 1) {
            self.repeated.next = bit_cast::<32, 16>(self.w_store_data.val().get_bits::<16>(0))
                | (bit_cast::<32, 16>(self.w_store_data.val().get_bits::<16>(0)) << 16);
        }
        self.store_word.next =
            (self.w_word.val() & !self.lanes.val()) | (self.repeated.val() & self.lanes.val());
        self.shifted.next = self.w_word.val() >> self.shift.val();
        match self.w_funct3.val().index() {
            0 => {
                // LB
                self.load_value.next = self.shifted.val() & 0xff;
                if self.shifted.val().get_bit(7) {
                    self.load_value.next = self.shifted.val() | 0xffff_ff00_u64;
                }
            }
            1 => {
                // LH
                self.load_value.next = self.shifted.val() & 0xffff;
                if self.shifted.val().get_bit(15) {
                    self.load_value.next = self.shifted.val() | 0xffff_0000_u64;
                }
            }
            4 => self.load_value.next = self.shifted.val() & 0xff,
            5 => self.load_value.next = self.shifted.val() & 0xffff,
            _ => self.load_value.next = self.shifted.val(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testutil::operands;

    #[test]
    fn addresses_checks_and_lanes() {
        check(LoadStoreUnit::new(0x2_0000));
    }

    #[test]
    fn addresses_checks_and_lanes_repeating_stores() {
        check(LoadStoreUnit::new(0x2_0000).repeating_stores());
    }

    fn check(mut uut: LoadStoreUnit) {
        let words = operands(5, 60);
        let data = operands(6, 60);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut ep: Sim<LoadStoreUnit>| {
            let mut x = ep.init()?;
            x.code_lo.next = 0x1000.into();
            x.code_hi.next = 0x1ffe.into();
            // Address checks around every boundary.
            let bases = [
                0u32,
                0xffc,
                0x1000,
                0x1ffc,
                0x2000,
                0x1_fffc,
                0x2_0000,
                0xffff_fffc,
            ];
            for &base in &bases {
                for off in [0u32, 1, 2, 3, 4, u32::MAX] {
                    for f3 in [0u32, 1, 2, 4, 5] {
                        x.base.next = (base as u64).into();
                        x.offset.next = (off as u64).into();
                        x.width.next = ((f3 & 3) as u64).into();
                        x = ep.wait(1, x)?;
                        let addr = base.wrapping_add(off);
                        let width = 1u32 << (f3 & 3);
                        sim_assert_eq!(ep, x.addr.val(), bits::<32>(addr as u64), x);
                        sim_assert_eq!(ep, x.misaligned.val(), addr % width != 0, x);
                        if addr % width == 0 {
                            let out = !(0x1000..=0x2_0000 - width).contains(&addr);
                            sim_assert_eq!(ep, x.out_of_range.val(), out, x);
                            if !out {
                                let code = addr < 0x1ffe && addr + width > 0x1000;
                                sim_assert_eq!(ep, x.in_code.val(), code, x);
                            }
                        }
                    }
                }
            }
            // Lanes: every width, signedness and offset.
            for i in 0..words.len() {
                for f3 in [0u32, 1, 2, 4, 5] {
                    for lane in 0..4u32 {
                        let width = 1u32 << (f3 & 3);
                        if lane % width != 0 {
                            continue;
                        }
                        x.w_lane.next = (lane as u64).into();
                        x.w_funct3.next = (f3 as u64).into();
                        x.w_word.next = (words[i] as u64).into();
                        x.w_store_data.next = (data[i] as u64).into();
                        x.w_store.next = true;
                        x = ep.wait(1, x)?;
                        let bytes = words[i].to_le_bytes();
                        let l = lane as usize;
                        let want = match f3 {
                            0 => bytes[l] as i8 as i32 as u32,
                            1 => i16::from_le_bytes([bytes[l], bytes[l + 1]]) as i32 as u32,
                            4 => bytes[l] as u32,
                            5 => u16::from_le_bytes([bytes[l], bytes[l + 1]]) as u32,
                            _ => words[i],
                        };
                        sim_assert_eq!(ep, x.load_value.val(), bits::<32>(want as u64), x);
                        let mut new = bytes;
                        let src = data[i].to_le_bytes();
                        new[l..l + width as usize].copy_from_slice(&src[..width as usize]);
                        let want = u32::from_le_bytes(new) as u64;
                        sim_assert_eq!(ep, x.store_word.val(), bits::<32>(want), x);
                        let mask = ((1u64 << width) - 1) << lane;
                        sim_assert_eq!(ep, x.mask.val(), bits::<4>(mask), x);
                        // Not a store: the word is unchanged, the lanes still reported.
                        x.w_store.next = false;
                        x = ep.wait(1, x)?;
                        sim_assert_eq!(ep, x.store_word.val(), bits::<32>(words[i] as u64), x);
                        sim_assert_eq!(ep, x.mask.val(), bits::<4>(mask), x);
                    }
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000).unwrap();
    }
}
