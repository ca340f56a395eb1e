//! The load generator: `cargo xtask bench [--endpoint URL]`.

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not built yet".to_string())
}
