//! What the benches share: a tiny deterministic generator (64-bit LCG), so their inputs
//! are the same on every run and machine.

pub struct Lcg(pub u64);

impl Lcg {
    /// Uniform-enough in `0..n` (`n > 0`).
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next(items.len() as u64) as usize]
    }
}
