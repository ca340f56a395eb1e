//! Randomness for ids, secrets and codes: a cryptographic generator seeded by the
//! operating system.

use cognito_core::Random;
use rand::RngCore;

/// Random bytes from a per-thread ChaCha generator seeded (and periodically reseeded) from
/// the operating system: safe to share between threads, and without a lock or a system
/// call per request.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsSeededRandom;

impl Random for OsSeededRandom {
    fn fill(&self, buf: &mut [u8]) {
        rand::thread_rng().fill_bytes(buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_differ() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        OsSeededRandom.fill(&mut a);
        OsSeededRandom.fill(&mut b);
        assert_ne!(a, b);
    }
}
