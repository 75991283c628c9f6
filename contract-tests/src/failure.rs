//! A case's failure told once and whole: which promise broke, in which case, where, and why.
//!
//! A case fails by panicking. The suite catches that panic to add the promise and the case to
//! the message, so the panic hook would print the bare message first and the explained one after
//! it. While it polls a case the suite therefore keeps a hook of its own quiet on that thread (it
//! notes where the panic happened instead); every other panic goes to the hook that was there
//! before, and so does a case's panic when backtraces are on (`RUST_BACKTRACE`), so that the
//! backtrace is printed as usual while the message stays free of it. The hook is installed once
//! per process.

use std::{
    backtrace::{Backtrace, BacktraceStatus},
    cell::{Cell, RefCell},
    future::Future,
    panic::{AssertUnwindSafe, catch_unwind},
    pin::Pin,
    sync::Once,
    task::{Context, Poll},
};

use crate::Outcome;

/// A case's panic: its message, and where it happened when the quiet hook saw it.
pub(crate) struct Caught {
    pub(crate) message: String,
    pub(crate) location: Option<String>,
}

thread_local! {
    /// Whether this thread is polling a case whose panic the suite will report.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last quiet panic on this thread happened.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                return previous(info);
            }
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            LAST.with(|last| *last.borrow_mut() = location);
            if Backtrace::capture().status() == BacktraceStatus::Captured {
                previous(info);
            }
        }));
    });
}

/// Keeps the hook quiet on this thread until dropped (also when a panic unwinds past it).
struct Quiet {
    before: bool,
}

impl Quiet {
    fn on() -> Self {
        Self {
            before: QUIET.with(|quiet| quiet.replace(true)),
        }
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        QUIET.with(|quiet| quiet.set(self.before));
    }
}

/// `case`, whose panic becomes a [`Caught`] instead of unwinding, told by nobody else.
pub(crate) fn guarded<F: Future<Output = Outcome>>(case: F) -> Guarded<F> {
    install_hook();
    Guarded {
        case: Box::pin(case),
    }
}

/// The future of [`guarded`].
pub(crate) struct Guarded<F> {
    case: Pin<Box<F>>,
}

impl<F: Future<Output = Outcome>> Future for Guarded<F> {
    type Output = Result<Outcome, Caught>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let quiet = Quiet::on();
        let case = &mut self.case;
        let polled = catch_unwind(AssertUnwindSafe(|| case.as_mut().poll(cx)));
        drop(quiet);
        match polled {
            Ok(poll) => poll.map(Ok),
            Err(payload) => {
                let message = panic_message(&*payload);
                let location = LAST.with(|last| last.borrow_mut().take());
                Poll::Ready(Err(Caught { message, location }))
            }
        }
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = panic.downcast_ref::<String>() {
        message.clone()
    } else if let Some(message) = panic.downcast_ref::<&str>() {
        (*message).to_owned()
    } else {
        "panicked with a non-text payload".to_owned()
    }
}

/// A failure of case `case` of promise `promise` (the module) whose text is `promise_text`:
/// the first line names the promise and says what went wrong, the next two say what the
/// promise is and where the case failed, and the rest of `why` (the events involved) follows.
pub(crate) fn explain(
    promise: &str,
    promise_text: &str,
    case: &str,
    location: Option<&str>,
    why: &str,
) -> String {
    let (first, rest) = why.split_once('\n').unwrap_or((why, ""));
    let at = location.map_or_else(String::new, |l| format!(", failed at {l}"));
    let mut out = format!(
        "broken promise `{promise}`: {first}\n  promise: {promise_text}\n  case: {promise}::{case}{at}"
    );
    if !rest.is_empty() {
        out.push('\n');
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explained_failure_leads_with_the_promise_and_keeps_the_details() {
        let told = explain(
            "read_stream",
            "a stream reads back in version order",
            "read_stream_forward_in_version_order",
            Some("src/cases/read_stream.rs:9:5"),
            "the stream: same events, wrong order\n  got:\n    s v2",
        );
        assert_eq!(
            told,
            "broken promise `read_stream`: the stream: same events, wrong order\n  \
             promise: a stream reads back in version order\n  \
             case: read_stream::read_stream_forward_in_version_order, failed at src/cases/read_stream.rs:9:5\n  \
             got:\n    s v2"
        );
    }

    #[test]
    fn a_guarded_panic_is_caught_with_its_message_and_place() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        fn lose_v3() -> Outcome {
            panic!("the store lost v3")
        }
        let caught = runtime.block_on(guarded(async { lose_v3() }));
        let Err(caught) = caught else {
            panic!("a panicking case was not caught");
        };
        assert_eq!(caught.message, "the store lost v3");
        let location = caught.location.unwrap();
        assert!(location.starts_with(concat!(file!(), ":")), "{location}");
        assert!(
            !QUIET.with(Cell::get),
            "the hook stayed quiet after the case"
        );
    }
}
