//! Writing matrices to `$GITHUB_OUTPUT`: one output per wave and a `<wave>_empty` guard,
//! because an empty matrix fails a workflow run.

use super::Matrix;

/// The `$GITHUB_OUTPUT` text for these waves. Values use the heredoc form with a random
/// delimiter, so no value can end the block early.
pub fn github_output(waves: &[(String, Matrix)]) -> String {
    let mut out = String::new();
    for (wave, matrix) in waves {
        let json = serde_json::to_string(matrix).expect("a matrix always serialises");
        let delimiter = loop {
            let candidate = format!("ghadelimiter_{:032x}", rand::random::<u128>());
            if !json.contains(&candidate) {
                break candidate;
            }
        };
        out.push_str(&format!("{wave}<<{delimiter}\n{json}\n{delimiter}\n"));
        out.push_str(&format!("{wave}_empty={}\n", matrix.include.is_empty()));
    }
    out
}
