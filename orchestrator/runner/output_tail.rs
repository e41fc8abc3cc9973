//! The end of a command's output, kept in memory to find its error lines and decide whether
//! the failure is transient. Bounded, because a big plan prints megabytes and a hundred jobs
//! run at once; terraform's diagnostics always come last.

/// 1 MiB per running command.
const LIMIT: usize = 1 << 20;

#[derive(Debug, Default)]
pub(super) struct OutputTail {
    text: String,
}

impl OutputTail {
    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.text.push_str(&String::from_utf8_lossy(bytes));
        if self.text.len() > LIMIT {
            let mut cut = self.text.len() - LIMIT / 2;
            // Keep whole lines (and a valid UTF-8 boundary).
            cut = self.text[cut..].find('\n').map_or(cut, |i| cut + i + 1);
            while !self.text.is_char_boundary(cut) {
                cut += 1;
            }
            self.text.drain(..cut);
        }
    }

    pub(super) fn into_string(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_a_long_output_is_kept_in_whole_lines() {
        let mut tail = OutputTail::default();
        for i in 0..200_000 {
            tail.push(format!("line {i}\n").as_bytes());
        }
        tail.push(b"Error: the last word\n");
        let text = tail.into_string();
        assert!(text.len() <= LIMIT);
        assert!(text.starts_with("line "));
        assert!(text.ends_with("Error: the last word\n"));
    }
}
