//! The generator's PRNG: SplitMix64 (Steele, Lea & Flood 2014), a few lines with no
//! dependency, fast, and with a fixed output for a seed on every platform — the archive of a
//! seed is byte-identical everywhere.

/// SplitMix64 state.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`; `stream` separates independent sequences of one seed.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD134_2543_DE82_EF95));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`); the multiply-shift bias is below 2^-32 for our `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a slice of length `n`.
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A lower-case GUID (`8-4-4-4-12` hex digits, version 4 layout).
    pub fn guid(&mut self) -> String {
        guid_from(self.next_u64(), self.next_u64())
    }
}

/// The SplitMix64 finaliser: also a good 64-bit hash of a counter.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A GUID built from two 64-bit values (so a derived id needs no stored state).
pub fn guid_from(a: u64, b: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000; // version nibble
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000; // variant bits
    let mut out = Vec::with_capacity(36);
    for (i, shift) in (0..16).rev().enumerate() {
        if i == 8 || i == 12 {
            out.push(b'-');
        }
        out.push(HEX[((a >> (shift * 4)) & 0xF) as usize]);
    }
    for (i, shift) in (0..16).rev().enumerate() {
        if i == 0 || i == 4 {
            out.push(b'-');
        }
        out.push(HEX[((b >> (shift * 4)) & 0xF) as usize]);
    }
    String::from_utf8(out).expect("hex is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_streams_differ() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, 1).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(7, 2).next_u64());
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(8, 1).next_u64());
    }

    #[test]
    fn guids_have_the_layout() {
        let g = Rng::new(1, 0).guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert_eq!(g.matches('-').count(), 4);
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = Rng::new(3, 3);
        assert!((0..10_000).all(|_| r.below(7) < 7));
    }
}
