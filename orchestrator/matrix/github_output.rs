//! Writing matrices to `$GITHUB_OUTPUT`. Per wave:
//!
//! - `<wave>_chunks`: how many matrix jobs of at most `max_jobs` legs the wave needs;
//! - `<wave>_<n>` and `<wave>_<n>_empty` for n = 1..=chunk jobs: chunk n and its guard, an
//!   empty `{"include":[]}` guarded `true` when the wave needs fewer chunks than the workflow
//!   has jobs (an empty matrix fails a workflow run);
//! - `<wave>` and `<wave>_empty`: the whole wave, for workflows of at most `max_jobs` accounts
//!   a wave. Above that, `<wave>` is not written: a job that used it as its matrix would
//!   exceed GitHub's limit; it fails at once on the empty value instead.

use super::{chunks, Matrix};

/// A wave needs more chunk jobs than the workflow has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "wave {wave} has {legs} accounts: at {max_jobs} legs per matrix job that is {needed} chunk \
     jobs, and the workflow has {available} (`--chunks`); add chunk jobs {wave}-{next}.. to the \
     workflow and raise `--chunks` (docs/github-actions.md, \"More than 256 accounts in a wave\")"
)]
pub struct ChunkError {
    pub wave: String,
    pub legs: usize,
    pub max_jobs: usize,
    pub needed: usize,
    pub available: usize,
    pub next: usize,
}

/// The step outputs (name, value) for these waves, with `chunk_jobs` chunk outputs per wave
/// (the number of chunk jobs the workflow has; `None`: as many as the largest wave needs).
/// `github_actions::append_outputs` writes them the one safe way.
pub fn github_output(
    waves: &[(String, Matrix)],
    max_jobs: usize,
    chunk_jobs: Option<usize>,
) -> Result<Vec<(String, String)>, ChunkError> {
    let split: Vec<(&str, &Matrix, Vec<Matrix>)> = waves
        .iter()
        .map(|(wave, matrix)| (wave.as_str(), matrix, chunks(matrix, max_jobs)))
        .collect();
    let needed = split.iter().map(|(_, _, c)| c.len()).max().unwrap_or(0);
    let available = chunk_jobs.unwrap_or(needed);
    if let Some((wave, matrix, c)) = split.iter().find(|(_, _, c)| c.len() > available) {
        return Err(ChunkError {
            wave: wave.to_string(),
            legs: matrix.include.len(),
            max_jobs,
            needed: c.len(),
            available,
            next: available + 1,
        });
    }
    let json = |m: &Matrix| serde_json::to_string(m).expect("a matrix always serialises");
    let empty = Matrix {
        include: Vec::new(),
    };
    let mut values: Vec<(String, String)> = Vec::new();
    for (wave, matrix, wave_chunks) in &split {
        if matrix.include.len() <= max_jobs {
            values.push((wave.to_string(), json(matrix)));
        }
        values.push((
            format!("{wave}_empty"),
            matrix.include.is_empty().to_string(),
        ));
        values.push((format!("{wave}_chunks"), wave_chunks.len().to_string()));
        for n in 1..=available {
            let chunk = wave_chunks.get(n - 1).unwrap_or(&empty);
            values.push((format!("{wave}_{n}"), json(chunk)));
            values.push((
                format!("{wave}_{n}_empty"),
                chunk.include.is_empty().to_string(),
            ));
        }
    }
    Ok(values)
}
