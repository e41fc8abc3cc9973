//! The end of a command's output, read back from its log to find its error lines and decide
//! whether the failure is transient. Bounded both ways, because terraform can print megabytes
//! (a big plan), a single line can be hundreds of megabytes (a provider dumping a blob), and a
//! hundred jobs run at once: at most `tail_bytes` of the end are kept, and each line at most
//! `line_bytes`. terraform's diagnostics always come last.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The caps on what is kept in memory of one command's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputLimits {
    /// Longer lines keep their start and say how much was cut.
    pub line_bytes: usize,
    /// Only the end of the output is kept, in whole lines.
    pub tail_bytes: usize,
}

impl OutputLimits {
    /// Caps above these would let one layer's output take a large share of the machine's
    /// memory (a hundred jobs finish at once), which is what the caps are for.
    pub const MAX_LINE_BYTES: usize = 16 << 20;
    pub const MAX_TAIL_BYTES: usize = 256 << 20;
}

/// The clap value parser of `--max-output-line`: 256 bytes (one error line) to 16 MiB.
pub(crate) fn line_flag(text: &str) -> Result<usize, String> {
    cap_flag(
        text,
        256,
        OutputLimits::MAX_LINE_BYTES,
        "to keep one error line",
    )
}

/// The clap value parser of `--max-output-tail`: 4 KiB (a few error lines) to 256 MiB.
pub(crate) fn tail_flag(text: &str) -> Result<usize, String> {
    cap_flag(
        text,
        4096,
        OutputLimits::MAX_TAIL_BYTES,
        "to keep terraform's error lines",
    )
}

fn cap_flag(text: &str, min: usize, max: usize, why: &str) -> Result<usize, String> {
    let range = format!("give a number of bytes from {min} to {max}");
    let value: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of bytes (or is too large); {range}"))?;
    if value < min {
        return Err(format!("{value} is too small {why}; {range}"));
    }
    if value > max {
        return Err(format!(
            "{value} is too large: the cap is what keeps a huge output out of memory; {range}"
        ));
    }
    Ok(value)
}

impl Default for OutputLimits {
    fn default() -> Self {
        Self {
            line_bytes: 16 << 10,
            tail_bytes: 1 << 20,
        }
    }
}

/// What was read back of a log: its text, and what was left out of it.
#[derive(Debug)]
pub(crate) struct Tail {
    pub text: String,
    /// Bytes from `start` on that are not in `text` because only the tail was kept (the
    /// partial line before the first whole one included).
    pub skipped: u64,
    /// Lines longer than the line cap, shown cut.
    pub lines_cut: usize,
}

/// The output `path` holds from byte `start` on, within `limits`: the run's one way of reading
/// a log back into memory (error lines, the GitHub job log's groups).
pub(crate) fn read(path: &Path, start: u64, limits: OutputLimits) -> io::Result<Tail> {
    let mut file = File::open(path)?;
    let end = file.metadata()?.len();
    // Never read more than the tail (plus one line to find a line start).
    let from = start.max(end.saturating_sub(limits.tail_bytes as u64));
    file.seek(SeekFrom::Start(from))?;
    let mut reader = BufReader::with_capacity(64 << 10, file.take(end - from));
    let mut lines = LineReader {
        reader: &mut reader,
        limit: limits.line_bytes,
        consumed: 0,
        lines_cut: 0,
    };
    let mut skipped = from.saturating_sub(start);
    if from > start {
        // Mid-line: that partial line is dropped.
        lines.next_line()?;
        skipped += lines.consumed;
        lines.lines_cut = 0;
    }
    let mut text = String::new();
    while let Some(line) = lines.next_line()? {
        text.push_str(&line);
    }
    Ok(Tail {
        text,
        skipped,
        lines_cut: lines.lines_cut,
    })
}

struct LineReader<'a, R> {
    reader: &'a mut R,
    limit: usize,
    /// Bytes consumed from the reader so far.
    consumed: u64,
    /// Lines returned cut to `limit`.
    lines_cut: usize,
}

impl<R: BufRead> LineReader<'_, R> {
    /// The next line with its newline, cut to the limit; `None` at the end.
    fn next_line(&mut self) -> io::Result<Option<String>> {
        let mut kept: Vec<u8> = Vec::new();
        let mut cut: u64 = 0;
        let mut saw_any = false;
        let mut ended = false;
        while !ended {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            saw_any = true;
            let content = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    ended = true;
                    &buf[..i]
                }
                None => buf,
            };
            let take = self.limit.saturating_sub(kept.len()).min(content.len());
            kept.extend_from_slice(&content[..take]);
            cut += (content.len() - take) as u64;
            let used = content.len() + usize::from(ended);
            self.reader.consume(used);
            self.consumed += used as u64;
        }
        if !saw_any {
            return Ok(None);
        }
        if cut > 0 {
            // Never show part of a word: a credential cut in two would be shown without the
            // mask that covers its whole value. Back off to the last separator.
            let word = kept.iter().rev().take_while(|&&b| is_word_byte(b)).count();
            kept.truncate(kept.len() - word);
            cut += word as u64;
        }
        let mut line = String::from_utf8_lossy(&kept).into_owned();
        if cut > 0 {
            self.lines_cut += 1;
            if !line.is_empty() && !line.ends_with([' ', '\t']) {
                line.push(' ');
            }
            line.push_str(&format!("[... {cut} more bytes of this line cut]"));
        }
        if ended {
            line.push('\n');
        }
        Ok(Some(line))
    }
}

/// A byte that may be inside a token (base64, hex, an access key id) or a multi-byte
/// character: a line is only ever cut between words.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-') || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, text).unwrap();
        file
    }

    #[test]
    fn the_end_of_a_long_output_is_kept_in_whole_lines() {
        let mut text = String::new();
        for i in 0..200_000 {
            text.push_str(&format!("line {i}\n"));
        }
        text.push_str("Error: the last word\n");
        let file = write(text.as_bytes());
        let limits = OutputLimits::default();
        let tail = read(file.path(), 0, limits).unwrap();
        assert!(tail.text.len() <= limits.tail_bytes);
        assert!(tail.text.starts_with("line "));
        assert!(tail.text.ends_with("Error: the last word\n"));
        assert_eq!(tail.skipped + tail.text.len() as u64, text.len() as u64);
        assert_eq!(tail.lines_cut, 0);
    }

    #[test]
    fn only_what_follows_the_start_is_read() {
        let file = write(b"$ terraform plan\nold\n$ terraform apply\nnew\n");
        let start = "$ terraform plan\nold\n$ terraform apply\n".len() as u64;
        assert_eq!(
            read(file.path(), start, OutputLimits::default())
                .unwrap()
                .text,
            "new\n"
        );
    }

    #[test]
    fn a_cut_line_never_shows_part_of_a_word() {
        let secret = "FwoGZXIvYXdzEBYaDH+7secret/token=";
        let text = format!("token: {secret}{}\nError: x\n", "z".repeat(5000));
        let file = write(text.as_bytes());
        let limits = OutputLimits {
            line_bytes: 20,
            tail_bytes: 1 << 20,
        };
        let tail = read(file.path(), 0, limits).unwrap().text;
        assert!(tail.starts_with("token: [... "), "{tail}");
        assert!(!tail.contains("FwoG"), "{tail}");
        assert!(tail.ends_with("Error: x\n"));
    }

    #[test]
    fn a_huge_line_is_cut_and_says_so() {
        let mut text = vec![b'x'; 5 << 20];
        text.extend_from_slice(b"\nError: after the blob\n");
        let file = write(&text);
        let limits = OutputLimits {
            line_bytes: 100,
            tail_bytes: 8 << 20,
        };
        let read = read(file.path(), 0, limits).unwrap();
        assert_eq!((read.skipped, read.lines_cut), (0, 1));
        let tail = read.text;
        assert!(tail.len() < 300, "{}", tail.len());
        assert!(
            tail.starts_with(&format!("[... {} more bytes of this line cut]\n", 5 << 20)),
            "{}",
            tail
        );
        assert!(tail.ends_with("Error: after the blob\n"));
    }
}
