//! The traced-program tests need `python3`: without it they fail, saying
//! so, rather than pass without having run.

use std::process::Command;

/// Panics with a clear message unless `python3` (3.8 or later) runs.
pub fn require_python() {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; assert sys.version_info >= (3, 8), sys.version",
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "the trace tests need python3 3.8 or later; python3 says: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!("the trace tests need python3 (3.8 or later) on PATH: {e}"),
    }
}

/// The path of a Python fixture in `tests/trace/`.
pub fn fixture(name: &str) -> String {
    format!("{}/tests/trace/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// True while a process with this pid exists (a zombie counts).
pub fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}
