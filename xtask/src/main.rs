#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../../codegen/mod.rs"]
mod codegen;

fn main() {
    let _ = codegen::generate;
}
