//! What a Rust command-line tool is expected to have, tried as a user
//! would: `--version` with the commit, shell completions and a man page,
//! `--color`, CSV and JSON for scripts, and pictures of the screen.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

fn qs() -> Command {
    Command::cargo_bin("queuescope").expect("the binary")
}

/// Runs `queuescope args` expecting success; its stdout.
fn stdout(args: &[&str]) -> String {
    let out = qs().args(args).assert().success().get_output().clone();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The short hash of HEAD, when the crate is the top of a git checkout.
fn head_commit() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let out = StdCommand::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    (top.canonicalize().ok()? == dir.canonicalize().ok()?)
        .then(|| git(&["rev-parse", "--short", "HEAD"]))
        .flatten()
}

#[test]
fn version_names_the_commit_of_a_checkout() {
    let v = stdout(&["--version"]);
    let expected = format!("queuescope {}", env!("CARGO_PKG_VERSION"));
    assert!(v.starts_with(&expected), "{v}");
    match head_commit() {
        Some(hash) => assert_eq!(v.trim_end(), format!("{expected} ({hash})")),
        // A tarball: the version alone.
        None => assert_eq!(v.trim_end(), expected),
    }
}
