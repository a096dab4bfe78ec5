//! Panics inside a worker's work are caught and shown as a `crashed` thread;
//! they must not print over the TUI nor trigger the TUI's restore-on-panic
//! hook. This installs (once) a panic hook that stays silent for panics the
//! engine is catching and hands every other panic to the previous hook.

use std::any::Any;
use std::cell::Cell;
use std::sync::Once;

thread_local! {
    static IN_WORK: Cell<bool> = const { Cell::new(false) };
}

static INSTALL: Once = Once::new();

/// Payload of an injected fault (lets the message survive `panic_any`).
#[derive(Debug)]
pub struct CaughtPanic(pub String);

/// Install the filtering hook over whatever hook is current. Idempotent; call
/// it after any other hook (e.g. the TUI's terminal-restoring one) is set.
pub fn install() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_WORK.with(|f| f.get()) {
                return;
            }
            previous(info);
        }));
    });
}

/// True while the current thread runs caught work (its panics print nothing).
pub fn is_caught() -> bool {
    IN_WORK.with(|f| f.get())
}

/// Run `f` marked as caught work: a panic inside is not reported by the hook.
pub fn in_caught_work<R>(f: impl FnOnce() -> R) -> R {
    IN_WORK.with(|c| c.set(true));
    let r = f();
    IN_WORK.with(|c| c.set(false));
    r
}

/// A panic payload's message.
pub fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(p) = payload.downcast_ref::<CaughtPanic>() {
        p.0.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}
