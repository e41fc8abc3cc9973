//! `$GITHUB_OUTPUT` read the way the runner reads it: `name=value` lines and
//! `name<<DELIMITER` heredocs whose value runs to the line that is exactly the delimiter.
//! A malformed file fails the step, as on GitHub.

use std::collections::BTreeMap;

pub fn parse(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut values = BTreeMap::new();
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        let (name, value) = match (equals, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => (&line[..e], line[e + 1..].to_string()),
            (_, Some(h)) => {
                let delimiter = &line[h + 2..];
                if delimiter.is_empty() {
                    return Err(format!("empty heredoc delimiter in `{line}`"));
                }
                let mut body = Vec::new();
                loop {
                    match lines.next() {
                        Some(l) if l == delimiter => break,
                        Some(l) => body.push(l),
                        None => {
                            return Err(format!("the heredoc `{line}` never reaches its delimiter"))
                        }
                    }
                }
                (&line[..h], body.join("\n"))
            }
            _ => return Err(format!("invalid line `{line}`")),
        };
        if name.is_empty() {
            return Err(format!("a value without a name: `{line}`"));
        }
        values.insert(name.to_string(), value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_and_heredocs() {
        let values = parse(
            "proceed=true\nstage<<ghadelimiter_1\n{\"include\":[]}\nsecond line\nghadelimiter_1\n\nx=a=b\n",
        )
        .unwrap();
        assert_eq!(values["proceed"], "true");
        assert_eq!(values["stage"], "{\"include\":[]}\nsecond line");
        assert_eq!(values["x"], "a=b");
    }

    #[test]
    fn refuses_a_heredoc_without_its_end() {
        assert!(parse("stage<<EOF\n{}\n").is_err());
        assert!(parse("no separator\n").is_err());
    }
}
