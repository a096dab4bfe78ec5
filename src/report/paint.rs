//! ANSI colour for the headless text (`run --log` and the report's
//! warnings), in the live view's colours: pills bright red, trouble red,
//! warnings yellow, notes cyan, timestamps grey. Off unless `--color`
//! decided on colour, so pipes and files get plain text.

/// Paints text, or leaves it alone when colour is off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paint {
    /// Colour is on.
    pub on: bool,
}

impl Paint {
    fn wrap(self, sgr: &str, s: &str) -> String {
        if self.on && !s.is_empty() {
            format!("\x1b[{sgr}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Secondary text: timestamps.
    pub fn dim(self, s: &str) -> String {
        self.wrap("90", s)
    }

    /// Poison pills.
    pub fn pill(self, s: &str) -> String {
        self.wrap("1;91", s)
    }

    /// Something wrong: crashes, a full queue.
    pub fn bad(self, s: &str) -> String {
        self.wrap("1;31", s)
    }

    /// Something to watch: warnings.
    pub fn warn(self, s: &str) -> String {
        self.wrap("33", s)
    }

    /// Live changes.
    pub fn note(self, s: &str) -> String {
        self.wrap("36", s)
    }

    /// Run milestones.
    pub fn title(self, s: &str) -> String {
        self.wrap("1;36", s)
    }

    /// The text report with its `warning:` lines painted.
    pub fn report(self, text: &str) -> String {
        if !self.on {
            return text.to_string();
        }
        text.split_inclusive('\n')
            .map(|line| {
                if line.starts_with("warning:") {
                    let body = line.trim_end_matches('\n');
                    format!("{}{}", self.warn(body), &line[body.len()..])
                } else {
                    line.to_string()
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_is_plain_and_on_is_ansi() {
        let off = Paint::default();
        assert_eq!(off.pill("bye"), "bye");
        assert_eq!(off.report("warning: x\n"), "warning: x\n");
        let on = Paint { on: true };
        assert_eq!(on.pill("bye"), "\x1b[1;91mbye\x1b[0m");
        assert_eq!(
            on.report("ok\nwarning: x\n"),
            "ok\n\x1b[33mwarning: x\x1b[0m\n"
        );
    }
}
