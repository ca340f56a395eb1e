//! `cargo xtask test`: every test suite of the project.

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not built yet".to_string())
}
