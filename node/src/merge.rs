//! merge
/// x
pub fn merge_command(_a: &[String]) -> Result<bool, String> {
    Err("todo".into())
}
/// x
pub fn check_trace_command(_a: &[String]) -> Result<bool, String> {
    Err("todo".into())
}
