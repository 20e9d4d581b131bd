//! Property test over envelope and model decoding for every operation that answers JSON:
//! valid sample answers, mutated (subtrees replaced with values of other types, keys
//! dropped, bytes truncated or flipped), must decode to `Ok` or `Err` — never panic.
//!
//! `FUZZ_CASES=200000 cargo test --release --test it fuzz_decode -- --nocapture` runs longer and
//! prints how many inputs each run decoded.

use aitoearn::{OPERATIONS, ResponseKind};
use proptest::prelude::*;
use serde_json::{Value, json};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// Small deterministic generator, so a failing case reproduces from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn odd_value(rng: &mut Rng) -> Value {
    match rng.below(12) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(u64::MAX),
        4 => json!(i64::MIN),
        5 => json!(1.5e308),
        6 => json!(""),
        7 => json!("2026-13-45T99:99:99Z"),
        8 => json!("☃\u{0}\u{ffff}"),
        9 => json!([]),
        10 => json!({}),
        _ => json!([{ "deep": [[[{}]]] }]),
    }
}

fn nodes(v: &mut Value) -> Vec<*mut Value> {
    let mut out = vec![v as *mut Value];
    match v {
        Value::Object(m) => m.values_mut().for_each(|c| out.extend(nodes(c))),
        Value::Array(a) => a.iter_mut().for_each(|c| out.extend(nodes(c))),
        _ => {}
    }
    out
}

fn mutate(valid: &[u8], seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut value: Value = serde_json::from_slice(valid).unwrap();
    for _ in 0..1 + rng.below(4) {
        let all = nodes(&mut value);
        let target = all[rng.below(all.len())];
        // SAFETY: pointers into `value`, used one at a time, before `value` changes shape again.
        let target = unsafe { &mut *target };
        match rng.below(3) {
            0 => *target = odd_value(&mut rng),
            1 => {
                if let Value::Object(m) = target {
                    if let Some(k) = m.keys().nth(rng.below(m.len())).cloned() {
                        m.remove(&k);
                    }
                }
            }
            _ => {
                if let Value::Array(a) = target {
                    a.push(odd_value(&mut rng));
                }
            }
        }
    }
    let mut bytes = value.to_string().into_bytes();
    match rng.below(8) {
        0 => bytes.truncate(rng.below(bytes.len())),
        1 => {
            let i = rng.below(bytes.len());
            bytes[i] ^= 1 << rng.below(8);
        }
        _ => {}
    }
    bytes
}

/// The operations that answer JSON (streams have their own tests).
fn json_operations() -> Vec<&'static aitoearn::Operation> {
    OPERATIONS
        .iter()
        .filter(|o| o.response != ResponseKind::EventStream)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decoding_never_panics(op_index in 0..json_operations().len(), seed in any::<u64>(), status in prop_oneof![Just(200u16), Just(400), Just(502)]) {
        let op = json_operations()[op_index];
        let (_, valid) = aitoearn::mock::sample_answer(op);
        let body = mutate(&valid, seed);
        // A panic fails the test with the seed that caused it.
        let decoded = aitoearn::__private::decode(op.name, status, &body);
        prop_assert!(decoded.is_some());
    }
}

#[test]
fn every_valid_sample_decodes() {
    for op in OPERATIONS
        .iter()
        .filter(|o| o.response != ResponseKind::EventStream)
    {
        let (_, body) = aitoearn::mock::sample_answer(op);
        let decoded = aitoearn::__private::decode(op.name, 200, &body).unwrap();
        assert!(decoded.is_ok(), "{}: {:?}", op.name, decoded);
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut runs = 0;
    for op in OPERATIONS
        .iter()
        .filter(|o| o.response != ResponseKind::EventStream)
    {
        for _ in 0..(cases() / 50).max(20) {
            let len = rng.below(64);
            let body: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Raw endpoints may accept a stray scalar; what matters is an answer, not a panic.
            assert!(
                aitoearn::__private::decode(op.name, 200, &body).is_some(),
                "{}",
                op.name
            );
            runs += 1;
        }
    }
    println!("arbitrary_bytes_never_panic: {runs} inputs");
}
