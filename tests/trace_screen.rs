//! The live view of a traced program, rendered from a scripted event
//! stream (a pool of four workers, one still working, one gone on its pill)
//! and the program's output: the same panels as a simulation, plus the
//! program's output beside the event log, and the footer's trace keys.
//! `INSTA_UPDATE=always cargo test --test trace_screen` after a deliberate
//! change, then read the diff.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use queuescope::app::ViewState;
use queuescope::sim::{OutputLine, ProgramOutput, Snapshot, SnapshotRequest};
use queuescope::trace::fold::{Fold, Options};
use queuescope::trace::protocol::parse_line;
use queuescope::ui::{self, Theme};

const S: u64 = 1_000_000_000;

/// Four workers on `jobs`: seven words, then None for each worker.
fn pool_snapshot() -> Snapshot {
    let mut lines = vec![
        r#"["hello",1,0,4242,1,"python 3.11.7"]"#.to_string(),
        r#"["thread",0,1,"MainThread"]"#.into(),
        r#"["queue",1000,1,7,"Queue","fifo",0,"jobs"]"#.into(),
    ];
    for w in 2..=5 {
        lines.push(format!(r#"["thread",2000,{w},"Worker-{}"]"#, w - 1));
        lines.push(format!(r#"["block",3000,{w},7,"empty",null]"#));
    }
    for (i, word) in ["this", "is", "a", "hello", "world", "test", "!"]
        .iter()
        .enumerate()
    {
        lines.push(format!(r#"["put",{},1,7,"'{word}'"]"#, S / 10 + i as u64));
    }
    for i in 0..4 {
        lines.push(format!(r#"["put",{},1,7,"None"]"#, S / 10 + 10 + i));
    }
    lines.push(format!(r#"["join",{},1,2,null]"#, S / 10 + 20));
    let mut t = S / 10 + 100;
    for w in [2, 3, 4, 5, 2, 3, 4] {
        lines.push(format!(r#"["wake",{t},{w},7]"#));
        lines.push(format!(r#"["get",{t},{w},7]"#));
        t += S / 20;
    }
    lines.push(format!(r#"["get",{t},5,7]"#));
    lines.push(format!(r#"["exit",{},5,null]"#, t + 1));
    let mut f = Fold::new(Options::default());
    for l in &lines {
        if let Ok(Some(e)) = parse_line(l.as_bytes()) {
            f.apply(e);
        }
    }
    f.tick(t + S / 2);
    f.reselect();
    let lesson = format!("python3 worker_pool.py · pid 4242 · {}", f.queue_line());
    let mut snap = f.snapshot(
        t + S / 2,
        SnapshotRequest::default(),
        "worker_pool.py",
        &lesson,
    );
    let said = [
        "Worker-1 did this",
        "Worker-2 did is",
        "Worker-3 did a",
        "Worker-4 did hello",
    ];
    let mut out: Vec<OutputLine> = said
        .iter()
        .map(|s| OutputLine {
            err: false,
            text: s.to_string(),
        })
        .collect();
    out.push(OutputLine {
        err: true,
        text: "DeprecationWarning: something".into(),
    });
    snap.output = Some(ProgramOutput {
        total: out.len() as u64,
        lines: out,
    });
    snap
}

fn text(snap: &Snapshot, w: u16, h: u16) -> String {
    let mut view = ViewState::new();
    let theme = Theme::default();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    for _ in 0..2 {
        view.sync(snap);
        let mut geometry = view.geometry;
        terminal
            .draw(|f| geometry = ui::render(f, snap, &view, &theme))
            .expect("draw");
        view.geometry = geometry;
    }
    format!("{}", terminal.backend())
}

#[test]
fn a_traced_pool_100x30() {
    let snap = pool_snapshot();
    let screen = text(&snap, 100, 30);
    assert!(screen.contains("Program output (5 lines)"), "{screen}");
    assert!(screen.contains("quit (stops it)"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn a_traced_pool_80x24_stacks_the_output_under_the_events() {
    assert_snapshot!(text(&pool_snapshot(), 80, 24));
}
