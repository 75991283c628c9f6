//! Checks on JSON text that serde does not make on the way in but makes on the way out.

use crate::{Error, limits::MAX_JSON_DEPTH};

/// Fails when `text` (valid JSON) nests arrays and objects deeper than
/// [`MAX_JSON_DEPTH`]: `serde_json` accepts such text as a raw value but refuses to read it into
/// a value or a type, so a store must not take it in. One pass over the bytes, no allocation.
pub(crate) fn check_depth(what: &'static str, text: &str) -> Result<(), Error> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_JSON_DEPTH {
        return Err(Error::invalid(
            what,
            format!(
                "it nests {deepest} levels of arrays and objects, over the limit of {MAX_JSON_DEPTH}"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn depth_limit_is_what_serde_reads_back() {
        assert!(check_depth("payload", &nested(MAX_JSON_DEPTH)).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&nested(MAX_JSON_DEPTH)).is_ok());
        assert!(check_depth("payload", &nested(MAX_JSON_DEPTH + 1)).is_err());
        assert!(serde_json::from_str::<serde_json::Value>(&nested(MAX_JSON_DEPTH + 1)).is_err());
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        let text = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(500), "{".repeat(500));
        assert!(check_depth("payload", &text).is_ok());
    }
}
