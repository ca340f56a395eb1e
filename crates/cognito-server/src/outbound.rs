//! What the server's HTTP clients (trigger functions' runners, identity providers) make
//! of a request that got no answer.

/// Why a request got no answer.
pub(crate) enum NoAnswer {
    /// It took longer than its timeout.
    Timeout,
    /// It could not reach its server; the reason, naming the server's origin.
    Unreachable(String),
}

/// What the failure `e` of a request to `origin` means.
pub(crate) fn no_answer(origin: &str, e: &ureq::Transport) -> NoAnswer {
    let io = std::error::Error::source(e).and_then(|s| s.downcast_ref::<std::io::Error>());
    if io.is_some_and(timed_out) {
        return NoAnswer::Timeout;
    }
    let detail = match io {
        Some(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".to_owned()
        }
        Some(io) => io.to_string(),
        None => e
            .message()
            .map_or_else(|| e.kind().to_string(), str::to_owned),
    };
    NoAnswer::Unreachable(format!("cannot reach {origin}: {detail}"))
}

/// Whether reading an answer stopped at its timeout.
pub(crate) fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}
