//! One 64-bit mixing function for the crate's non-cryptographic randomness (request ids, retry
//! jitter): neither needs to be unpredictable, only spread out.

/// The splitmix64 finalizer: a bijection on `u64` that spreads every input bit over the output.
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
