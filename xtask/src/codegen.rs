//! Generates the sources of `cognito-model` from the Smithy model.

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not built yet".to_string())
}
