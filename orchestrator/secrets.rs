//! The secrets this process holds (assumed-role and OIDC credentials), registered the moment
//! they exist, and blanked out of text that leaves the process in a file or a message.
//!
//! GitHub's `::add-mask::` only protects the job log. A terraform error line that quotes a
//! credential (a provider echoing its request, a provisioner printing its environment) is
//! also kept in the run report, which is uploaded as an artifact and read by Slack and the
//! job summary: those copies are redacted here, wherever the process runs.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// What a redacted secret is shown as: GitHub's own mask text.
pub const REDACTED: &str = "***";

/// Shorter values are not kept: blanking them would blank ordinary words.
const SHORTEST: usize = 12;
/// Secrets are found by their first bytes, so redacting is one pass over the text whatever
/// the number of accounts whose credentials the process holds.
const PREFIX: usize = 8;
/// The start of a secret this long, cut short, is blanked too: GitHub's mask (the whole
/// value) would miss it, and no ordinary text repeats 16 bytes of a credential.
const PARTIAL: usize = 16;

/// Registered secrets by their first `PREFIX` bytes, longest first within each prefix so a
/// secret that begins with another is blanked whole.
static KNOWN: RwLock<Option<HashMap<[u8; PREFIX], Vec<String>>>> = RwLock::new(None);

/// Remembers a secret for `redact`, with its base64 forms. Called where credentials are
/// received, before they are handed to anyone.
pub fn register(secret: &str) {
    if prefix_of(secret.as_bytes()).is_none() {
        return;
    }
    for form in base64_forms(secret.as_bytes()) {
        register_exact(&form);
    }
    register_exact(secret);
}

/// What a secret looks like inside base64 text (an `Authorization: Basic` header, a
/// provider's encoded request): GitHub's runner masks these in the job log, so the files
/// and messages redacted here do too. The encoding of the secret from each of the three
/// byte offsets it can start at in a longer input, without the last group, whose characters
/// depend on what follows it.
fn base64_forms(secret: &[u8]) -> Vec<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..3)
        .filter_map(|shift| {
            let bytes = secret.get(shift..)?;
            let whole = &bytes[..bytes.len() - bytes.len() % 3];
            let mut out = String::with_capacity(whole.len() / 3 * 4);
            for group in whole.chunks(3) {
                let n = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
                for i in 0..4 {
                    out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
                }
            }
            Some(out)
        })
        .collect()
}

fn register_exact(secret: &str) {
    let Some(prefix) = prefix_of(secret.as_bytes()) else {
        return;
    };
    let mut known = KNOWN.write().unwrap_or_else(PoisonError::into_inner);
    let same_prefix = known
        .get_or_insert_with(HashMap::new)
        .entry(prefix)
        .or_default();
    if !same_prefix.iter().any(|v| v == secret) {
        same_prefix.push(secret.to_owned());
        same_prefix.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// `text` with every registered secret replaced by `***`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(PoisonError::into_inner);
    let Some(known) = known.as_ref() else {
        return Cow::Borrowed(text);
    };
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut at = 0;
    while let Some(prefix) = prefix_of(&bytes[at..]) {
        let hit = known
            .get(&prefix)
            .and_then(|same| matched(&bytes[at..], same))
            .filter(|&len| text.is_char_boundary(at + len));
        match hit {
            Some(len) => {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                out.push_str(&text[copied..at]);
                out.push_str(REDACTED);
                at += len;
                copied = at;
            }
            None => at += 1,
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

/// How many bytes at the start of `text` are a secret of `same` (which share their first
/// bytes): a whole one, else the start of one cut short (a line shortened for a message, a
/// capped output line), if at least `PARTIAL` bytes of it are there.
fn matched(text: &[u8], same: &[String]) -> Option<usize> {
    if let Some(whole) = same.iter().find(|v| text.starts_with(v.as_bytes())) {
        return Some(whole.len());
    }
    same.iter()
        .map(|v| v.bytes().zip(text).take_while(|(a, b)| a == *b).count())
        .max()
        .filter(|&len| len >= PARTIAL)
}

/// The first `PREFIX` bytes of anything long enough to be (or hold) a registered secret.
fn prefix_of(bytes: &[u8]) -> Option<[u8; PREFIX]> {
    if bytes.len() < SHORTEST {
        return None;
    }
    bytes[..PREFIX].try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_blanked_wherever_they_appear() {
        register("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        register("ASIAREDACTTEST0000001");
        let line = "Error: signing with ASIAREDACTTEST0000001 and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY failed";
        assert_eq!(redact(line), "Error: signing with *** and *** failed");
    }

    #[test]
    fn text_without_secrets_is_unchanged_and_not_copied() {
        register("ASIAREDACTTEST0000002");
        let line = "Error: creating bucket: AccessDenied (ASIAREDACT is only a prefix)";
        assert!(matches!(redact(line), Cow::Borrowed(l) if l == line));
    }

    #[test]
    fn short_values_are_never_registered() {
        register("abc");
        register("");
        assert_eq!(redact("abc abc abc abc abc"), "abc abc abc abc abc");
    }

    #[test]
    fn a_secret_inside_base64_is_blanked_whatever_its_offset() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBASE64KEY";
        register(secret);
        // Known encodings (`printf %s "$text" | base64 -w0`) of the secret after 0, 1 and 2
        // bytes of other text.
        assert_eq!(
            base64_forms(b"Man is"),
            ["TWFuIGlz", "YW4gaX", "biBpcw"].map(|s| s[..s.len() - s.len() % 4].to_string())
        );
        for prefix in ["", "u:", "user:", "AWS4:"] {
            let text = format!("{prefix}{secret}\n");
            let encoded = encode_for_test(text.as_bytes());
            let redacted = redact(&encoded);
            assert!(redacted.contains(REDACTED), "{prefix}: {encoded}");
            // What is left cannot be decoded back to most of the secret.
            assert!(redacted.len() < encoded.len() - 30, "{redacted}");
        }
    }

    fn encode_for_test(bytes: &[u8]) -> String {
        let mut padded = bytes.to_vec();
        while !padded.len().is_multiple_of(3) {
            padded.push(0);
        }
        let mut text = base64_forms(&padded).swap_remove(0);
        let groups = bytes.len().div_ceil(3) * 4;
        let chars = (bytes.len() * 4).div_ceil(3);
        text.truncate(chars);
        while text.len() < groups {
            text.push('=');
        }
        text
    }

    #[test]
    fn the_start_of_a_secret_cut_short_is_blanked() {
        register("FQoGZXIvYXdzEBYaDPARTIALTOKEN0123456789abcdef");
        assert_eq!(
            redact("signed with FQoGZXIvYXdzEBYaDPARTIAL… (cut)"),
            "signed with ***… (cut)"
        );
        // Too little of it to be told from other text.
        assert_eq!(redact("FQoGZXIvYXdz…"), "FQoGZXIvYXdz…");
    }

    #[test]
    fn multibyte_text_around_a_secret_is_kept() {
        register("ASIAREDACTTEST0000003");
        assert_eq!(redact("é—ASIAREDACTTEST0000003—é"), "é—***—é");
    }
}
