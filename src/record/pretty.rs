//! Re-indents compact JSON the way `serde_json::to_string_pretty` prints
//! it, streaming, without building a value: `replay --json` prints a
//! recording's summary exactly as `run --json` did, at a memory cost that
//! does not depend on its size. The input must be valid JSON (the reader
//! has checked it).

use std::io::{self, Write};

/// Writes `raw` (one compact JSON value) to `out`, two-space indented,
/// `"key": value`, empty lists and objects as `[]` and `{}`.
pub fn write(raw: &[u8], out: &mut impl Write) -> io::Result<()> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if in_string {
            out.write_all(&[b])?;
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.write_all(b"\"")?;
            }
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                let next = raw[i..].iter().position(|c| !c.is_ascii_whitespace());
                if next.is_some_and(|n| raw[i + n] == close) {
                    out.write_all(&[b, close])?;
                    i += next.unwrap_or(0) + 1;
                } else {
                    depth += 1;
                    out.write_all(&[b])?;
                    newline(out, depth)?;
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(out, depth)?;
                out.write_all(&[b])?;
            }
            b',' => {
                out.write_all(b",")?;
                newline(out, depth)?;
            }
            b':' => out.write_all(b": ")?,
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => out.write_all(&[b])?,
        }
    }
    Ok(())
}

fn newline(out: &mut impl Write, depth: usize) -> io::Result<()> {
    out.write_all(b"\n")?;
    for _ in 0..depth {
        out.write_all(b"  ")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pretty(raw: &str) -> String {
        let mut out = Vec::new();
        write(raw.as_bytes(), &mut out).expect("write to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn prints_what_serde_json_prints() {
        let doc = json!({
            "a": [1, 2.5, -3e-7, {"b": null, "c": []}, {}],
            "quote \"x\": [y], {z}": "with, commas: and \\ backslash",
            "nested": {"deep": [[], [[]], [1]]},
            "unicode": "µs → done",
            "t": true,
        });
        let compact = serde_json::to_string(&doc).expect("compact");
        let expected = serde_json::to_string_pretty(&doc).expect("pretty");
        assert_eq!(pretty(&compact), expected);
        assert_eq!(pretty("5"), "5");
        assert_eq!(pretty("[ ]"), "[]");
    }
}
