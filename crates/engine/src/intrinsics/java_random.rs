//! Java's `java.util.Random`, for a seeded States.MathRandom.

/// `java.util.Random`, so that a seeded `States.MathRandom` gives the same number on every
/// run (the seed's whole point).
pub(super) struct JavaRandom {
    seed: i64,
}

impl JavaRandom {
    const MULTIPLIER: i64 = 0x5_DEEC_E66D;
    const MASK: i64 = (1 << 48) - 1;

    pub(super) fn new(seed: i64) -> Self {
        JavaRandom {
            seed: (seed ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        (self.seed >> 48u32.saturating_sub(bits)) as i32
    }

    /// A value in `[0, bound)`; `bound` must be positive.
    pub(super) fn next_int(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        if bound & bound.wrapping_neg() == bound {
            // Java's `long` arithmetic wraps; with both factors below 2^31 it never needs to.
            return (i64::from(bound).wrapping_mul(i64::from(self.next(31))) >> 31) as i32;
        }
        loop {
            let bits = self.next(31);
            // `bound` is positive here, so the remainder always exists.
            let Some(value) = bits.checked_rem(bound) else {
                return 0;
            };
            if bits.wrapping_sub(value).wrapping_add(bound.wrapping_sub(1)) >= 0 {
                return value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_matches_java() {
        // Values printed by a JDK: new java.util.Random(seed).nextInt(bound).
        for (seed, bound, expected) in [
            (42, 100, 30),
            (0, 10, 0),
            (1, 1000, 985),
            (7, 1000, 236),
            (-5, 64, 17),
        ] {
            assert_eq!(
                JavaRandom::new(seed).next_int(bound),
                expected,
                "{seed} {bound}"
            );
        }
    }
}
