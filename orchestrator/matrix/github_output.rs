//! Writing matrices to `$GITHUB_OUTPUT`: one output per wave and a `<wave>_empty` guard,
//! because an empty matrix fails a workflow run.

use super::Matrix;
use crate::github_actions::output_text;

/// The `$GITHUB_OUTPUT` text for these waves: `<wave>` (the matrix JSON) and
/// `<wave>_empty`, each written the one safe way (`github_actions::output_text`).
pub fn github_output(waves: &[(String, Matrix)]) -> String {
    let mut values: Vec<(String, String)> = Vec::new();
    for (wave, matrix) in waves {
        let json = serde_json::to_string(matrix).expect("a matrix always serialises");
        values.push((wave.clone(), json));
        values.push((
            format!("{wave}_empty"),
            matrix.include.is_empty().to_string(),
        ));
    }
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    output_text(&pairs)
}
