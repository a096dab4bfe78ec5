//! Puts the git commit into `--version` when the crate is built from a git
//! checkout: `QUEUESCOPE_VERSION` is `0.1.0 (a1b2c3d)` then, and just the
//! package version otherwise (a release tarball, `cargo install` from the
//! registry, no git on the machine). Never fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = env!("CARGO_PKG_VERSION");
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let full = match commit(&manifest_dir) {
        Some(hash) => format!("{version} ({hash})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=QUEUESCOPE_VERSION={full}");
}

/// The short hash of HEAD, if `dir` is the top of a git work tree (not a
/// crate unpacked somewhere inside another repository). Asks cargo to run
/// this again when HEAD moves.
fn commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| a.canonicalize().ok() == b.canonicalize().ok();
    if !same(Path::new(&top), dir) {
        return None;
    }
    watch_head(dir);
    git(dir, &["rev-parse", "--short", "HEAD"])
}

/// `rerun-if-changed` on HEAD, on the branch it points to and on the
/// packed refs. In a linked worktree `.git` is a file, so the paths come
/// from git rather than from `.git/HEAD`.
fn watch_head(dir: &Path) {
    let resolve = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() { p } else { dir.join(p) }
    };
    // A path that does not exist would make cargo rerun this every build.
    let watch = |p: PathBuf| {
        if p.exists() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    };
    if let Some(git_dir) = git(dir, &["rev-parse", "--git-dir"]).map(resolve) {
        watch(git_dir.join("HEAD"));
    }
    let Some(common) = git(dir, &["rev-parse", "--git-common-dir"]).map(resolve) else {
        return;
    };
    watch(common.join("packed-refs"));
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch(common.join(branch));
    }
}

/// One line of `git args` run in `dir`, or `None` if git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}
