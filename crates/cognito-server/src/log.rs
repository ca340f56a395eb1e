//! The server's log: `tracing` events as one line each, formatted cheaply and written in
//! batches by a thread of their own, so that a request never waits on standard error.
//!
//! - [`LineFormat`] writes `2026-01-01T00:00:00.000000Z  INFO target: message name=value ...`
//!   without allocating: the date and time of the current second are formatted once per
//!   second and thread, and values are written raw unless they need quoting (spaces,
//!   quotes, control characters: those are written escaped, so one event is one line).
//! - [`BatchWriter`] is the `MakeWriter`: formatting threads append each line to a
//!   shared buffer under a short lock; the first line of a batch wakes the writer thread,
//!   which waits [`LINGER`] for more, then writes the whole batch with one system call.
//!   An idle server's lines appear within [`LINGER`]; a busy one writes a few hundred
//!   batches a second instead of one line per request. When the sink cannot keep up,
//!   lines beyond [`MAX_PENDING`] bytes are dropped and counted, never queued without
//!   bound.
//!
//! [`LogGuard`] flushes what is pending when it is dropped, at the end of `main`.

use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_http::request_log::{self, Answered, RequestLog};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// How long the writer thread lets a batch gather after its first line.
pub const LINGER: Duration = Duration::from_millis(5);

/// The most bytes waiting to be written; lines beyond it are dropped and counted.
pub const MAX_PENDING: usize = 4 * 1024 * 1024;

/// The lines waiting for the writer thread.
#[derive(Default)]
struct Pending {
    lines: Vec<u8>,
    /// Lines dropped since the last batch because `lines` was full.
    dropped: u64,
    /// Set by [`LogGuard`]: write what is left and stop.
    closed: bool,
}

struct Shared {
    pending: Mutex<Pending>,
    /// The writer thread, set as soon as it is spawned (before any line is written).
    writer: OnceLock<Thread>,
}

impl Shared {
    fn pending(&self) -> MutexGuard<'_, Pending> {
        // A thread that panicked while appending left whole lines behind; keep logging.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `line` to the pending lines, or counts it as dropped when they are full,
    /// and wakes the writer thread for the first line of a batch.
    fn append(&self, line: &[u8]) {
        let first = {
            let mut pending = self.pending();
            if pending.lines.len().saturating_add(line.len()) > MAX_PENDING {
                pending.dropped = pending.dropped.saturating_add(1);
                return;
            }
            let first = pending.lines.is_empty();
            pending.lines.extend_from_slice(line);
            first
        };
        // Later lines of the batch find the writer awake, or its wake-up already due.
        if first {
            self.wake();
        }
    }

    /// Wakes the writer thread.
    fn wake(&self) {
        if let Some(writer) = self.writer.get() {
            writer.unpark();
        }
    }
}

/// A [`MakeWriter`] whose lines a background thread writes in batches.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

/// Stops the writer thread, after it has written every pending line, when dropped.
#[must_use = "dropping the guard stops the log"]
pub struct LogGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl BatchWriter {
    /// A writer whose batches go to `sink`, and the guard that flushes it.
    pub fn new(sink: impl Write + Send + 'static) -> io::Result<(BatchWriter, LogGuard)> {
        let shared = Arc::new(Shared {
            pending: Mutex::new(Pending::default()),
            writer: OnceLock::new(),
        });
        let thread = thread::Builder::new().name("log-writer".into()).spawn({
            let shared = Arc::clone(&shared);
            move || write_batches(&shared, sink)
        })?;
        let _ = shared.writer.set(thread.thread().clone());
        let guard = LogGuard {
            shared: Arc::clone(&shared),
            thread: Some(thread),
        };
        Ok((BatchWriter { shared }, guard))
    }
}

/// The writer thread: waits for a first line, lets the batch gather, writes it whole.
fn write_batches(shared: &Shared, mut sink: impl Write) {
    let mut batch = Vec::new();
    loop {
        // Park only while nothing waits: a wake-up may come without cause, or before
        // the thread parks.
        let (waiting, closing) = {
            let pending = shared.pending();
            (
                !pending.lines.is_empty() || pending.dropped > 0,
                pending.closed,
            )
        };
        if !waiting && !closing {
            thread::park();
            continue;
        }
        if !closing {
            thread::sleep(LINGER);
        }
        let (dropped, closed) = {
            let mut pending = shared.pending();
            std::mem::swap(&mut pending.lines, &mut batch);
            (std::mem::take(&mut pending.dropped), pending.closed)
        };
        if dropped > 0 {
            let _ = writeln!(
                batch,
                "{dropped} log lines dropped: the log's destination did not keep up"
            );
        }
        // Nowhere to report a failing log: drop the batch and go on.
        let _ = sink.write_all(&batch).and_then(|()| sink.flush());
        batch.clear();
        if closed {
            return;
        }
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.shared.pending().closed = true;
        self.shared.wake();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Appends what it is given to the pending lines; `tracing_subscriber::fmt` writes each
/// event with one call.
pub struct LineSink<'a> {
    shared: &'a Shared,
}

impl Write for LineSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.shared.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = LineSink<'a>;

    fn make_writer(&'a self) -> LineSink<'a> {
        LineSink {
            shared: &self.shared,
        }
    }
}

impl BatchWriter {
    /// The [`RequestLog`] that writes `cognito-http`'s request lines into this log's
    /// batches, with ANSI colours when `ansi`.
    pub fn request_lines(&self, ansi: bool) -> RequestLines {
        RequestLines {
            shared: Arc::clone(&self.shared),
            ansi,
        }
    }
}

/// `cognito-http`'s request lines, written straight into a [`BatchWriter`]'s batches:
/// the line [`LineFormat`] writes for the `tracing` event the service logs by default,
/// without the event's dispatch and field visits. The lines follow the log's filter
/// (`RUST_LOG`) for their target, [`request_log::TARGET`], at `INFO`.
pub struct RequestLines {
    shared: Arc<Shared>,
    ansi: bool,
}

impl RequestLog for RequestLines {
    fn answered(&self, request: &Answered<'_>) {
        if !tracing::enabled!(target: request_log::TARGET, Level::INFO) {
            return;
        }
        thread_local! {
            static LINE: std::cell::RefCell<String> = const {
                std::cell::RefCell::new(String::new())
            };
        }
        LINE.with(|line| {
            // Should the buffer be in use on this thread already, a fresh one serves.
            let mut fresh = String::new();
            let mut borrowed = line.try_borrow_mut();
            let line = match borrowed.as_deref_mut() {
                Ok(line) => line,
                Err(_) => &mut fresh,
            };
            line.clear();
            if write_request(line, request, self.ansi).is_ok() {
                self.shared.append(line.as_bytes());
            }
        });
    }
}

/// Writes `request`'s line as [`LineFormat`] writes the event of [`request_log::TracingLog`].
fn write_request(line: &mut String, request: &Answered<'_>, ansi: bool) -> fmt::Result {
    write_now(line)?;
    line.push_str(if ansi {
        " \x1b[32m INFO\x1b[0m "
    } else {
        "  INFO "
    });
    line.push_str(request_log::TARGET);
    line.push_str(": request request_id=");
    write_value(line, request.request_id)?;
    for (name, value) in [
        (" operation=", request.operation),
        (" method=", request.method),
        (" path=", request.path),
    ] {
        if let Some(value) = value {
            line.push_str(name);
            write_value(line, value)?;
        }
    }
    line.push_str(" status=");
    write_u64(line, u64::from(request.status))?;
    line.push_str(" micros=");
    write_u64(line, request.micros)?;
    if let Some(error) = request.error {
        line.push_str(" error=");
        write_value(line, error)?;
    }
    line.push('\n');
    Ok(())
}

/// Writes a field's value, quoted when it needs to be (see [`needs_quotes`]).
fn write_value(writer: &mut impl fmt::Write, value: &str) -> fmt::Result {
    if needs_quotes(value) {
        write!(writer, "{value:?}")
    } else {
        writer.write_str(value)
    }
}

/// The format of a line: UTC time to the microsecond, level, target, the spans the event
/// happened in, the message, then the other fields as `name=value`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineFormat;

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write_now(&mut writer)?;
        let meta = event.metadata();
        let level = match *meta.level() {
            Level::ERROR => ("ERROR", "\x1b[31m"),
            Level::WARN => (" WARN", "\x1b[33m"),
            Level::INFO => (" INFO", "\x1b[32m"),
            Level::DEBUG => ("DEBUG", "\x1b[34m"),
            Level::TRACE => ("TRACE", "\x1b[35m"),
        };
        if writer.has_ansi_escapes() {
            write!(writer, " {}{}\x1b[0m ", level.1, level.0)?;
        } else {
            writer.write_char(' ')?;
            writer.write_str(level.0)?;
            writer.write_char(' ')?;
        }
        writer.write_str(meta.target())?;
        writer.write_str(": ")?;
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                writer.write_str(span.name())?;
                let extensions = span.extensions();
                if let Some(fields) = extensions.get::<FormattedFields<N>>() {
                    if !fields.is_empty() {
                        write!(writer, "{{{fields}}}")?;
                    }
                }
                writer.write_str(": ")?;
            }
        }
        let mut fields = FieldWriter::new(&mut writer, true);
        event.record(&mut fields);
        fields.result?;
        writer.write_char('\n')
    }
}

/// How span fields are written: `name=value`, separated by spaces.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineFields;

impl<'writer> FormatFields<'writer> for LineFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut visitor = FieldWriter::new(&mut writer, false);
        fields.record(&mut visitor);
        visitor.result
    }
}

/// Writes the fields it visits, separated by spaces, in the order they come: the message
/// (first, as `tracing`'s macros record it) bare when `bare_message`, the others as
/// `name=value`.
struct FieldWriter<'a, 'w> {
    writer: &'a mut Writer<'w>,
    bare_message: bool,
    /// Whether a field was written, so that the next one starts with a space.
    separate: bool,
    result: fmt::Result,
}

impl<'a, 'w> FieldWriter<'a, 'w> {
    fn new(writer: &'a mut Writer<'w>, bare_message: bool) -> Self {
        FieldWriter {
            writer,
            bare_message,
            separate: false,
            result: Ok(()),
        }
    }

    /// Writes `field` with `value`, which returns whether it wrote the value bare (a
    /// message is never quoted).
    fn field(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'w>, bool) -> fmt::Result) {
        if self.result.is_err() {
            return;
        }
        let bare = self.bare_message && field.name() == "message";
        self.result = (|| {
            if self.separate {
                self.writer.write_char(' ')?;
            }
            self.separate = true;
            if !bare {
                self.writer.write_str(field.name())?;
                self.writer.write_char('=')?;
            }
            value(self.writer, bare)
        })();
    }
}

impl Visit for FieldWriter<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, |w, bare| {
            if bare {
                w.write_str(value)
            } else {
                write_value(w, value)
            }
        });
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |w, _| write_u64(w, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |w, _| {
            if value < 0 {
                w.write_char('-')?;
            }
            write_u64(w, value.unsigned_abs())
        });
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |w, _| {
            w.write_str(if value { "true" } else { "false" })
        });
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.field(field, |w, _| write!(w, "{:?}", value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.field(field, |w, _| write!(w, "{value:?}"));
    }
}

/// Writes `value` in decimal, without the formatting machinery (numbers are in every
/// request's line).
fn write_u64(writer: &mut impl fmt::Write, mut value: u64) -> fmt::Result {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
        start -= 1;
        if value == 0 {
            break;
        }
    }
    write_ascii(writer, digits.get(start..).unwrap_or_default())
}

/// Writes ASCII `bytes` (digits, punctuation) one character at a time: for a few bytes,
/// cheaper than checking them as UTF-8.
fn write_ascii(writer: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    bytes
        .iter()
        .try_for_each(|&b| writer.write_char(char::from(b)))
}

/// Whether a value must be quoted to stay one token on one line.
///
/// Looks at every byte without stopping at the first that needs quotes, which lets the
/// compiler compare many bytes at once: most values need none.
fn needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value.bytes().fold(false, |quote, b| {
            quote | (b <= b' ') | (b == b'"') | (b == b'=') | (b == b'\\') | (b == 0x7f)
        })
}

thread_local! {
    /// The current second as `YYYY-MM-DDTHH:MM:SS`, with its epoch seconds.
    static SECOND: std::cell::RefCell<(i64, String)> = const {
        std::cell::RefCell::new((i64::MIN, String::new()))
    };
}

/// Writes the current UTC time as `2026-01-01T00:00:00.000000Z`.
fn write_now(writer: &mut impl fmt::Write) -> fmt::Result {
    // The log's timestamps: the wall clock, read here as `clock::SystemClock` does.
    #[allow(clippy::disallowed_methods)]
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    write_time(
        writer,
        i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        since.subsec_micros(),
    )
}

/// Writes `secs` and `micros` after the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
fn write_time(writer: &mut impl fmt::Write, secs: i64, micros: u32) -> fmt::Result {
    SECOND.with(|second| {
        let mut second = second.borrow_mut();
        if second.0 != secs {
            second.1.clear();
            let (year, month, day) = civil_date(secs.div_euclid(86_400));
            let time = secs.rem_euclid(86_400);
            write!(
                second.1,
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
                time / 3600,
                time / 60 % 60,
                time % 60
            )?;
            second.0 = secs;
        }
        writer.write_str(&second.1)
    })?;
    let mut fraction = *b".000000Z";
    let mut rest = micros;
    for digit in fraction.iter_mut().skip(1).take(6).rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    write_ascii(writer, &fraction)
}

/// The proleptic Gregorian date of `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
pub(crate) fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_to_the_microsecond() {
        let cases = [
            (0, 0, "1970-01-01T00:00:00.000000Z"),
            (1_767_225_600, 42, "2026-01-01T00:00:00.000042Z"),
            (
                1_709_164_800 + 3_723,
                999_999,
                "2024-02-29T01:02:03.999999Z",
            ),
            (951_782_400, 1, "2000-02-29T00:00:00.000001Z"),
            (-1, 500_000, "1969-12-31T23:59:59.500000Z"),
        ];
        for (secs, micros, expected) in cases {
            let mut out = String::new();
            write_time(&mut out, secs, micros).unwrap();
            assert_eq!(out, expected, "{secs}");
            // Again, from the cached second.
            let mut again = String::new();
            write_time(&mut again, secs, micros).unwrap();
            assert_eq!(again, expected, "{secs}, cached");
        }
    }

    /// A sink the test reads back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 12_345, u64::MAX] {
            let mut out = String::new();
            write_u64(&mut out, n).unwrap();
            assert_eq!(out, n.to_string());
        }
    }

    #[test]
    fn every_line_is_written_in_order_by_the_time_the_guard_is_dropped() {
        let sink = Shared::default();
        let (writer, guard) = BatchWriter::new(sink.clone()).unwrap();
        for i in 0..1000 {
            writeln!(writer.make_writer(), "line {i}").unwrap();
        }
        drop(guard);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1000);
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(*line, format!("line {i}"));
        }
    }

    #[test]
    fn an_idle_log_is_written_within_the_linger() {
        let sink = Shared::default();
        let (writer, _guard) = BatchWriter::new(sink.clone()).unwrap();
        writeln!(writer.make_writer(), "hello").unwrap();
        // No timing assertion: wait until the line arrives, however long that takes.
        while sink.0.lock().unwrap().is_empty() {
            thread::sleep(LINGER);
        }
        assert_eq!(&*sink.0.lock().unwrap(), b"hello\n");
    }

    #[test]
    fn events_are_one_line_with_bare_and_quoted_values() {
        let sink = Shared::default();
        let (writer, guard) = BatchWriter::new(sink.clone()).unwrap();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(false)
            .fmt_fields(LineFields)
            .event_format(LineFormat)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let operation: Option<&str> = Some("AdminGetUser");
            let error: Option<&str> = None;
            tracing::info!(
                request_id = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                operation,
                status = 200u16,
                micros = 12u64,
                error,
                "request"
            );
            tracing::warn!(path = "/a b\n\"c\"", ok = true, delta = -3i64, "odd");
        });
        drop(guard);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        let (time, rest) = lines[0].split_at(27);
        assert!(time.ends_with('Z') && time.contains('T'), "{time}");
        assert_eq!(
            rest,
            "  INFO cognito_server::log::tests: request \
             request_id=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9 operation=AdminGetUser \
             status=200 micros=12"
        );
        assert!(
            lines[1].ends_with(
                r#" WARN cognito_server::log::tests: odd path="/a b\n\"c\"" ok=true delta=-3"#
            ),
            "{}",
            lines[1]
        );
    }

    /// The request lines written straight into the batches are the lines of the
    /// `tracing` events the service logs by default, with or without colours, and follow
    /// the log's filter.
    #[test]
    fn request_lines_are_the_lines_of_the_default_events() {
        let requests = [
            Answered {
                request_id: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                operation: Some("AdminGetUser"),
                method: None,
                path: None,
                status: 400,
                micros: 12,
                error: Some("UserNotFoundException"),
            },
            Answered {
                request_id: "r2",
                operation: None,
                method: Some("GET"),
                path: Some("/a b\n\"c\""),
                status: 404,
                micros: 0,
                error: None,
            },
        ];
        for ansi in [false, true] {
            let logged = |direct: bool, filter: &str| {
                let sink = Shared::default();
                let (writer, guard) = BatchWriter::new(sink.clone()).unwrap();
                let lines = writer.request_lines(ansi);
                let subscriber = tracing_subscriber::fmt()
                    .with_writer(writer)
                    .with_ansi(ansi)
                    .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                    .fmt_fields(LineFields)
                    .event_format(LineFormat)
                    .finish();
                tracing::subscriber::with_default(subscriber, || {
                    for request in &requests {
                        if direct {
                            lines.answered(request);
                        } else {
                            request_log::TracingLog.answered(request);
                        }
                    }
                });
                drop(guard);
                let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
                // Without the time, which differs.
                text.lines()
                    .map(|line| line.get(27..).unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
            };
            let events = logged(false, "info");
            assert_eq!(events.len(), 2);
            assert!(events[1].ends_with(r#"path="/a b\n\"c\"" status=404 micros=0"#));
            assert_eq!(logged(true, "info"), events);
            assert!(logged(true, "cognito_http=warn,info").is_empty());
        }
    }
}
