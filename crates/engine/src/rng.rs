//! The execution's seeded random numbers: one seed drives retry jitter, States.UUID and
//! States.MathRandom, so a run replays exactly.

/// SplitMix64: tiny, fast, and good enough for jitter and test UUIDs (not for secrets).
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer in [low, high] (inclusive); `low` when the range is empty.
    pub fn range_inclusive(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let draw = self.next_u64();
        // `high - low + 1` values; only the full i64 range has more than u64 can count, and
        // then every draw is in it.
        let offset = high
            .abs_diff(low)
            .checked_add(1)
            .and_then(|span| draw.checked_rem(span))
            .unwrap_or(draw);
        low.wrapping_add_unsigned(offset)
    }

    /// A random (version 4) UUID in its lowercase text form.
    pub fn uuid_v4(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid_v4_text(bytes)
    }
}

/// 16 bytes as a version 4, RFC 4122 variant UUID in its lowercase text form.
pub fn uuid_v4_text(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = |group: &[u8]| -> String { group.iter().map(|b| format!("{b:02x}")).collect() };
    format!(
        "{}-{}-{}-{}-{}",
        hex(&bytes[0..4]),
        hex(&bytes[4..6]),
        hex(&bytes[6..8]),
        hex(&bytes[8..10]),
        hex(&bytes[10..16])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(a.uuid_v4(), b.uuid_v4());
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn uuid_has_version_and_variant() {
        let id = Rng::new(42).uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn range_is_inclusive_and_bounded() {
        let mut rng = Rng::new(3);
        for _ in 0..1000 {
            let v = rng.range_inclusive(-2, 2);
            assert!((-2..=2).contains(&v));
        }
        assert_eq!(rng.range_inclusive(5, 5), 5);
    }
}
