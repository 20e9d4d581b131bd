//! Server-Sent Events as a typed `Stream`.
//!
//! Two stages, both ours, following the WHATWG HTML "event stream interpretation" rules:
//!
//! - **[`Lines`]**, the framer, cuts the body into lines: the three line endings (CRLF, LF, lone
//!   CR, also when a CRLF is split across two reads), a leading byte order mark stripped, a
//!   line handed on as soon as its end has arrived (a lone-CR line does not wait for the next
//!   read), a line bounded in length ([`MAX_LINE`]), and every byte scanned a fixed number of
//!   times however the reads cut the line (a multi-megabyte base64 image line in 16 KiB reads
//!   is still linear work; a long line is copied once, into a buffer of its size).
//! - **[`Events`]** assembles events from those lines: fields, comments, the data buffer, the
//!   last event id, dispatch at a blank line. Each line is decoded with WHATWG's "UTF-8
//!   decode" (invalid sequences become U+FFFD); a line always ends on a character boundary, so
//!   it can be decoded on its own. The data of one event is bounded too ([`MAX_LINE`]).
//!
//! One deliberate difference from WHATWG: **a final event without a trailing blank line is
//! dispatched**, where a browser discards it (it reconnects and gets the event again; an SDK
//! call does not reconnect). If it was cut short its data fails to decode, so truncation is
//! reported, never silent.
//!
//! The events used to be assembled by the `eventsource-stream` crate behind this framer. It
//! re-framed the lines the framer had already cut (with `nom`, which it brought into every
//! build along with `minimal-lexical`), and the framer had to work around it: it panicked on a
//! byte order mark (it sliced U+FEFF at byte 1), stalled for good on invalid UTF-8, re-scanned
//! its whole buffer on every read until a line ended (quadratic on long lines), and dropped an
//! unterminated last event (its stream ends when the body does, without looking at what it had
//! buffered; the framer added a blank line to dispatch it). What callers see is unchanged:
//! the same events, `event` and `id` values, and the same errors with the same messages; a
//! second byte order mark, which made that crate panic, is now part of the first field's
//! name, as WHATWG has it.
//!
//! On top of the events, this module decodes each event's `data` and ends the stream at the
//! OpenAI-style `[DONE]` sentinel.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes, BytesMut};
use futures_core::Stream;
use futures_core::stream::FusedStream;
use futures_util::StreamExt;
use progenitor_client::ByteStream;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result, snippet};
use crate::operation::Operation;

/// One event of a stream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event<T> {
    /// The `event:` field; `"message"` when the server sent none.
    pub event: String,
    /// The last `id:` field the stream carried, if any (as in WHATWG, an id applies to the
    /// events after it until another `id:` changes it).
    pub id: Option<String>,
    /// The `data:` field (several `data:` lines joined with `\n`), decoded.
    pub data: T,
}

/// Why the body broke off; made an [`Error`] with the call's details when yielded.
enum BodyError {
    /// Reading the answer failed (reset, timeout, truncated chunked encoding).
    Http(reqwest::Error),
    /// A byte stream of [`EventStream::from_byte_stream`] failed.
    Other(String),
    /// A line grew past [`MAX_LINE`] without ending.
    LineTooLong,
    /// The `data:` lines of one event added up to more than [`MAX_LINE`] bytes.
    DataTooLong,
}

impl BodyError {
    /// What [`Error::Stream`] says of it (`Http` becomes a transport error instead).
    fn reason(&self) -> String {
        match self {
            Self::Http(e) => e.to_string(),
            Self::Other(reason) => format!("the body broke off: {reason}"),
            Self::LineTooLong => format!("a line is longer than the {MAX_LINE}-byte limit"),
            Self::DataTooLong => {
                format!("an event's data is longer than the {MAX_LINE}-byte limit")
            }
        }
    }
}

/// The longest line the framer takes, and the most data one event may carry (the client's
/// default limit on a body read into memory): a server that never ends a line, or an event,
/// cannot make the stream hold unbounded memory.
const MAX_LINE: usize = 64 * 1024 * 1024;

/// The body.
type Source = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, BodyError>> + Send + Sync>>;

/// A stream of [`Event`]s, from a streaming operation's `stream()` or `send()`.
///
/// - Yields each event as soon as its bytes have arrived; nothing waits for the rest of the
///   body.
/// - Ends after the last event, or at `data: [DONE]` (OpenAI's end marker, not yielded).
/// - An event whose data does not decode as `T` is yielded as an [`Error::Stream`] and the
///   stream goes on with the next event.
/// - A broken connection (or the read timeout of the client elapsing) yields one `Err` and
///   ends the stream.
/// - Dropping it closes the connection.
///
/// ```no_run
/// use futures_util::StreamExt;
/// # async fn run(client: aitoearn::Client, body: aitoearn::types::ops::relay_chat_completions::Body)
/// # -> aitoearn::Result<()> {
/// let mut events = client.relay_chat_completions().body(body).stream().await?;
/// while let Some(event) = events.next().await {
///     let event = event?;
///     if let Some(token) = event.data["choices"][0]["delta"]["content"].as_str() {
///         print!("{token}");
///     }
/// }
/// # Ok(()) }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<T> {
    operation: &'static str,
    /// The `x-request-id` of the call, for errors.
    request_id: Arc<str>,
    inner: Option<Events>,
    _data: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("operation", &self.operation)
            .field("request_id", &self.request_id)
            .field("ended", &self.inner.is_none())
            .finish_non_exhaustive()
    }
}

impl<T> EventStream<T> {
    pub(crate) fn new(op: &'static Operation, request_id: Arc<str>, body: ByteStream) -> Self {
        let bytes = body
            .into_inner()
            .map(|chunk| chunk.map_err(BodyError::Http));
        Self::from_source(op.name, request_id, Box::pin(bytes))
    }

    /// An event stream over any byte stream, parsed exactly as an answer's body is. For
    /// benchmarks and tests of the parser without a server; an `Err` of `bytes` becomes an
    /// [`Error::Stream`] (with an empty request id) and ends the stream.
    #[doc(hidden)]
    pub fn from_byte_stream<S, E>(operation: &'static str, bytes: S) -> Self
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + Sync + 'static,
        E: std::fmt::Display,
    {
        let bytes = bytes.map(|chunk| chunk.map_err(|e| BodyError::Other(e.to_string())));
        Self::from_source(operation, Arc::from(""), Box::pin(bytes))
    }

    fn from_source(operation: &'static str, request_id: Arc<str>, source: Source) -> Self {
        Self {
            operation,
            request_id,
            inner: Some(Events::new(Lines::new(source))),
            _data: PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = Result<Event<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let operation = self.operation;
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let item = ready!(inner.poll_event(cx));
        let out = match item {
            None => None,
            Some(Ok(ev)) if ev.data.trim() == "[DONE]" => None,
            Some(Ok(ev)) => {
                let decoded = crate::decode::from_json::<T>(&ev.data);
                // A bad event is reported and the stream goes on.
                return Poll::Ready(Some(match decoded {
                    Ok(data) => Ok(Event {
                        event: ev.event,
                        id: ev.id,
                        data,
                    }),
                    Err(reason) => Err(Error::Stream {
                        operation,
                        request_id: self.request_id.to_string(),
                        reason: format!(
                            "event `{}`: data {reason}; data starts: {}",
                            ev.event,
                            snippet(ev.data.as_bytes())
                        ),
                    }),
                }));
            }
            Some(Err(BodyError::Http(e))) => {
                Some(Err(Error::transport(operation, &self.request_id, e)))
            }
            Some(Err(broken)) => Some(Err(Error::Stream {
                operation,
                request_id: self.request_id.to_string(),
                reason: broken.reason(),
            })),
        };
        // End for good after `[DONE]`, the end of the body, or a broken connection; the
        // connection is released right away.
        self.inner = None;
        Poll::Ready(out)
    }
}

impl<T: DeserializeOwned> FusedStream for EventStream<T> {
    fn is_terminated(&self) -> bool {
        self.inner.is_none()
    }
}

/// An event as [`Events`] dispatches it, before its data is decoded.
#[derive(Debug, PartialEq)]
struct RawEvent {
    /// The event type buffer, or `"message"` when it was empty.
    event: String,
    /// The last event id, `None` when it is empty (never set, or set by an empty `id` field).
    id: Option<String>,
    /// The data buffer without its last LF.
    data: String,
}

/// Assembles events from the lines of [`Lines`], by WHATWG's "event stream interpretation":
///
/// - a blank line dispatches the event;
/// - a line starting with `:` is a comment;
/// - otherwise the line is a field: its name up to the first `:`, its value after it with one
///   leading space removed; a line without `:` is a field with an empty value;
/// - `event` sets the event type buffer; `data` appends its value and a LF to the data buffer;
///   `id` sets the last event id unless the value contains U+0000; `retry` sets the
///   reconnection time if the value is ASCII digits only; any other field is ignored;
/// - dispatching: with an empty data buffer, no event (and the event type buffer is emptied);
///   otherwise the last LF of the data is removed, the type defaults to `message`, and the
///   event carries the last event id, which stays for the events after it.
///
/// At the clean end of the body a pending event is dispatched, where WHATWG discards it (see the
/// module documentation). `eventsource-stream` 0.2.3, which this replaces, discarded it too (its
/// `poll_next` returns `None` when the body ends, leaving its buffer and event builder as they
/// are); the framer used to add a blank line at the end to get it dispatched, and dispatching it
/// here keeps what callers saw.
struct Events {
    lines: Lines,
    /// The event type buffer.
    event: String,
    /// The data buffer: each `data:` value followed by a LF.
    data: String,
    /// The last event id buffer; it persists across events.
    last_id: String,
    /// The reconnection time the stream asked for (`retry:`), in milliseconds. Kept as WHATWG
    /// says; nothing reads it outside the tests, as an SDK call does not reconnect.
    #[cfg_attr(not(test), allow(dead_code))]
    retry: Option<u64>,
}

impl Events {
    fn new(lines: Lines) -> Self {
        Self {
            lines,
            event: String::new(),
            data: String::new(),
            last_id: String::new(),
            retry: None,
        }
    }

    /// The next event, the error that ended the body, or `None` at its end.
    fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<RawEvent, BodyError>>> {
        loop {
            match ready!(Pin::new(&mut self.lines).poll_next(cx)) {
                Some(Ok(line)) => match self.line(&line) {
                    Ok(None) => {}
                    Ok(Some(event)) => return Poll::Ready(Some(Ok(event))),
                    Err(e) => return Poll::Ready(Some(Err(self.fail(e)))),
                },
                Some(Err(e)) => return Poll::Ready(Some(Err(self.fail(e)))),
                // The clean end of the body: a pending event is dispatched (see the type's
                // documentation). Once; the buffers are empty afterwards.
                None => return Poll::Ready(self.dispatch().map(Ok)),
            }
        }
    }

    /// After an error nothing more is dispatched: the partial event is dropped.
    fn fail(&mut self, e: BodyError) -> BodyError {
        self.event = String::new();
        self.data = String::new();
        e
    }

    /// Takes one line (without its line ending); a blank line may dispatch an event.
    fn line(&mut self, line: &[u8]) -> std::result::Result<Option<RawEvent>, BodyError> {
        if line.is_empty() {
            return Ok(self.dispatch());
        }
        if line[0] == b':' {
            return Ok(None);
        }
        // "UTF-8 decode": no copy when the line is valid.
        let line = String::from_utf8_lossy(line);
        let (name, value) = match line.split_once(':') {
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (&*line, ""),
        };
        match name {
            "event" => value.clone_into(&mut self.event),
            "data" => {
                if self.data.len() + value.len() >= MAX_LINE {
                    return Err(BodyError::DataTooLong);
                }
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => value.clone_into(&mut self.last_id),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // More digits than a `u64` holds: ignored, as any unusable value.
                if let Ok(ms) = value.parse() {
                    self.retry = Some(ms);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Dispatches the event the buffers hold, if any, and empties them (but the last event id).
    fn dispatch(&mut self) -> Option<RawEvent> {
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        Some(RawEvent {
            event: if event.is_empty() {
                "message".to_owned()
            } else {
                event
            },
            id: (!self.last_id.is_empty()).then(|| self.last_id.clone()),
            data,
        })
    }
}

/// Splits a byte stream into lines, one line per item, without their line ending (CRLF, LF or
/// a lone CR), and without the byte order mark that may open the stream; at the clean end of
/// the body, a last line without a line ending is an item too. The bytes are not decoded.
struct Lines {
    /// `None` once the body has ended or failed.
    source: Option<Source>,
    /// The unscanned rest of the current read.
    chunk: Bytes,
    /// The start of a line whose end has not arrived yet: the reads it spans, uncopied, so
    /// that a long line is copied once, into a buffer of its exact size.
    partial: Vec<Bytes>,
    /// The length of `partial`.
    partial_len: usize,
    /// The previous line ended with a CR at the end of a read: a LF starting the next read
    /// belongs to it.
    skip_lf: bool,
    /// No line has been handed out yet (a byte order mark may open the first).
    at_start: bool,
}

impl Lines {
    fn new(source: Source) -> Self {
        Self {
            source: Some(source),
            chunk: Bytes::new(),
            partial: Vec::new(),
            partial_len: 0,
            skip_lf: false,
            at_start: true,
        }
    }

    /// A line as handed on: without the byte order mark that may open the stream (WHATWG's
    /// "UTF-8 decode" strips one; a second is part of the line).
    fn emit(&mut self, mut line: Bytes) -> Bytes {
        if std::mem::take(&mut self.at_start) && line.starts_with(BOM) {
            line.advance(BOM.len());
        }
        line
    }

    /// Takes the line that ends at `chunk[end]` (a CR or LF) out of `partial` and `chunk`.
    fn take_line(&mut self, end: usize) -> Bytes {
        let chunk = &mut self.chunk;
        let term = if chunk[end] == b'\r' {
            match chunk.get(end + 1) {
                Some(b'\n') => 2,
                Some(_) => 1,
                None => {
                    self.skip_lf = true;
                    1
                }
            }
        } else {
            1
        };
        let line = if self.partial.is_empty() {
            // The common case: the whole line is in this read; no copy.
            let line = chunk.split_to(end);
            chunk.advance(term);
            line
        } else {
            let line = join(&self.partial, &chunk[..end]);
            self.partial.clear();
            self.partial_len = 0;
            chunk.advance(end + term);
            line
        };
        self.emit(line)
    }
}

/// U+FEFF in UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `parts`, then `last`, in one buffer of that size.
fn join(parts: &[Bytes], last: &[u8]) -> Bytes {
    let len = parts.iter().map(Bytes::len).sum::<usize>() + last.len();
    let mut line = BytesMut::with_capacity(len);
    for part in parts {
        line.extend_from_slice(part);
    }
    line.extend_from_slice(last);
    line.freeze()
}

impl Stream for Lines {
    type Item = std::result::Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.skip_lf && !this.chunk.is_empty() {
                if this.chunk[0] == b'\n' {
                    this.chunk.advance(1);
                }
                this.skip_lf = false;
            }
            if !this.chunk.is_empty() {
                match this.chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
                    Some(end) => return Poll::Ready(Some(Ok(this.take_line(end)))),
                    None => {
                        this.partial_len += this.chunk.len();
                        this.partial.push(std::mem::take(&mut this.chunk));
                        if this.partial_len > MAX_LINE {
                            this.source = None;
                            this.partial.clear();
                            return Poll::Ready(Some(Err(BodyError::LineTooLong)));
                        }
                    }
                }
            }
            let Some(source) = this.source.as_mut() else {
                return Poll::Ready(None);
            };
            match source.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => this.chunk = bytes,
                Poll::Ready(Some(Err(e))) => {
                    this.source = None;
                    this.partial.clear();
                    this.skip_lf = false;
                    this.chunk = Bytes::new();
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.source = None;
                    // The unterminated last line, if any.
                    if !this.partial.is_empty() {
                        let line = join(&this.partial, &[]);
                        this.partial.clear();
                        this.partial_len = 0;
                        return Poll::Ready(Some(Ok(this.emit(line))));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;
    use serde_json::{Value, json};

    /// Parses `chunks` as one body, each chunk one read.
    fn parse(chunks: &[&[u8]]) -> Vec<std::result::Result<Event<Value>, String>> {
        let chunks: Vec<std::result::Result<Bytes, std::io::Error>> = chunks
            .iter()
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let events = EventStream::<Value>::from_byte_stream("test", stream::iter(chunks));
        futures_executor_lite(events.map(|r| r.map_err(|e| e.to_string())).collect())
    }

    /// Polls a future that never waits (the test streams are in memory).
    fn futures_executor_lite<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        loop {
            if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    fn data(events: &[std::result::Result<Event<Value>, String>]) -> Vec<Value> {
        events
            .iter()
            .map(|e| match e {
                Ok(e) => e.data.clone(),
                Err(e) => json!({ "error": e }),
            })
            .collect()
    }

    #[test]
    fn every_split_of_a_body_gives_the_same_events() {
        let body: &[u8] =
            "\u{feff}: hi\r\nevent: a\r\nid: 7\r\ndata: {\"x\":\r\ndata: \"é\"}\r\n\r\n\
            data: [1,\rdata: 2]\r\rdata: 3\n\n:\n\ndata: [DONE]\n\ndata: 4\n\n"
                .as_bytes();
        let whole = parse(&[body]);
        assert_eq!(
            data(&whole),
            vec![json!({"x": "é"}), json!([1, 2]), json!(3)]
        );
        let first = whole[0].as_ref().unwrap();
        assert_eq!(
            (first.event.as_str(), first.id.as_deref()),
            ("a", Some("7"))
        );
        for i in 0..=body.len() {
            for j in i..=body.len() {
                let split = parse(&[&body[..i], &body[i..j], &body[j..]]);
                assert_eq!(split, whole, "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn a_final_event_without_a_blank_line_is_dispatched() {
        assert_eq!(
            data(&parse(&[b"data: 1\n\ndata: 2\n"])),
            vec![json!(1), json!(2)]
        );
        assert_eq!(
            data(&parse(&[b"data: 1\n\ndata: 2"])),
            vec![json!(1), json!(2)]
        );
        assert_eq!(data(&parse(&[b"data: 1\r"])), vec![json!(1)]);
        // Cut short: reported, not silently dropped.
        let cut = parse(&[b"data: {\"a\":"]);
        assert!(
            matches!(&cut[..], [Err(e)] if e.contains("data starts: {\"a\":")),
            "{cut:?}"
        );
    }

    #[test]
    fn a_line_that_never_ends_is_an_error_not_unbounded_memory() {
        let mib = Bytes::from(vec![b'a'; 1 << 20]);
        let body = std::iter::once(Bytes::from_static(b"data: 1\n\ndata: "))
            .chain(std::iter::repeat_n(mib, 100))
            .map(Ok::<_, std::io::Error>);
        let events = EventStream::<Value>::from_byte_stream("test", stream::iter(body));
        let events: Vec<_> = futures_executor_lite(events.collect());
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0].as_ref().unwrap().data, json!(1));
        assert!(
            matches!(&events[1], Err(Error::Stream { reason, .. }) if reason.contains("longer than")),
            "{:?}",
            events[1]
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_and_the_stream_goes_on() {
        let events = parse(&[b"data: \"\xff\"\n\n", b"data: 2\n\n"]);
        assert_eq!(data(&events), vec![json!("\u{fffd}"), json!(2)]);
    }

    #[test]
    fn a_bad_event_does_not_end_the_stream_but_a_broken_body_does() {
        let events = parse(&[b"data: nope\n\ndata: 2\n\n"]);
        assert!(events[0].is_err());
        assert_eq!(events[1].as_ref().unwrap().data, json!(2));

        let chunks: Vec<std::result::Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"data: 1\n\ndata: 2")),
            Err(std::io::Error::other("reset")),
            Ok(Bytes::from_static(b"\n\ndata: 3\n\n")),
        ];
        let events = EventStream::<Value>::from_byte_stream("test", stream::iter(chunks));
        let events: Vec<_> = futures_executor_lite(events.collect());
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0].as_ref().unwrap().data, json!(1));
        assert!(
            matches!(&events[1], Err(Error::Stream { reason, .. }) if reason.contains("reset"))
        );
    }

    /// Runs [`Events`] over `chunks` (each one read) to the end: what it dispatched, and its
    /// state afterwards.
    fn assemble(chunks: &[&[u8]]) -> (Vec<std::result::Result<RawEvent, String>>, Events) {
        let chunks: Vec<std::result::Result<Bytes, BodyError>> = chunks
            .iter()
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let mut events = Events::new(Lines::new(Box::pin(stream::iter(chunks))));
        let mut out = Vec::new();
        let mut cx = Context::from_waker(std::task::Waker::noop());
        loop {
            match events.poll_event(&mut cx) {
                Poll::Pending => unreachable!("in-memory streams never wait"),
                Poll::Ready(None) => break,
                Poll::Ready(Some(Ok(event))) => out.push(Ok(event)),
                Poll::Ready(Some(Err(e))) => {
                    out.push(Err(match e {
                        BodyError::LineTooLong => "line too long".to_owned(),
                        BodyError::DataTooLong => "data too long".to_owned(),
                        BodyError::Other(e) => e,
                        BodyError::Http(e) => e.to_string(),
                    }));
                    break;
                }
            }
        }
        (out, events)
    }

    fn raw(event: &str, id: Option<&str>, data: &str) -> std::result::Result<RawEvent, String> {
        Ok(RawEvent {
            event: event.to_owned(),
            id: id.map(str::to_owned),
            data: data.to_owned(),
        })
    }

    #[test]
    fn fields_comments_and_values() {
        let (events, _) = assemble(&[b": a comment\n\
            :\n\
            data:no space\n\
            data: one space removed\n\
            data:  only one space removed\n\
            data: a:b: colons in the value\n\
            data\n\
            foo: unknown\n\
            DATA: names are case-sensitive\n\
            data : a space ends no name\n\
            dat\n\
            data:\n\n"]);
        assert_eq!(
            events,
            [raw(
                "message",
                None,
                "no space\none space removed\n only one space removed\na:b: colons in the value\n\n"
            )]
        );
    }

    #[test]
    fn a_multi_line_data_event_drops_only_the_last_newline() {
        let (events, _) = assemble(&[b"data: YHOO\ndata: +2\ndata: 10\n\n"]);
        assert_eq!(events, [raw("message", None, "YHOO\n+2\n10")]);
        // `data` without a value: an event whose data is empty, and one of one newline.
        let (events, _) = assemble(&[b"data\n\ndata\ndata\n\ndata:\n"]);
        assert_eq!(
            events,
            [
                raw("message", None, ""),
                raw("message", None, "\n"),
                raw("message", None, "")
            ]
        );
    }

    #[test]
    fn the_event_type_defaults_to_message_and_is_reset_at_every_dispatch() {
        let (events, _) = assemble(&[b"event: add\ndata: 1\n\n\
            data: 2\n\n\
            event: orphan\n\n\
            data: 3\n\n\
            event\ndata: 4\n\n\
            event: a\nevent: b\ndata: 5\n\n"]);
        assert_eq!(
            events,
            [
                raw("add", None, "1"),
                raw("message", None, "2"),
                // `event: orphan` had no data: nothing dispatched, and the type was reset.
                raw("message", None, "3"),
                raw("message", None, "4"),
                raw("b", None, "5"),
            ]
        );
    }

    #[test]
    fn the_last_event_id_persists_and_an_id_with_nul_is_ignored() {
        let (events, state) = assemble(&[b"id: 1\ndata: a\n\n\
            data: b\n\n\
            id: 2\n\n\
            data: c\n\n\
            id: 3\0\ndata: d\n\n\
            id\ndata: e\n\n\
            id: 4\ndata: f\nid: 5\n\n\
            data: g\n\n"]);
        assert_eq!(
            events,
            [
                raw("message", Some("1"), "a"),
                raw("message", Some("1"), "b"),
                // Set by an event that dispatched nothing, still the last id.
                raw("message", Some("2"), "c"),
                raw("message", Some("2"), "d"),
                // An empty id empties it.
                raw("message", None, "e"),
                // The id set last before the blank line is the event's.
                raw("message", Some("5"), "f"),
                raw("message", Some("5"), "g"),
            ]
        );
        assert_eq!(state.last_id, "5");
    }

    #[test]
    fn retry_takes_ascii_digits_only() {
        let retry = |body: &str| assemble(&[body.as_bytes()]).1.retry;
        assert_eq!(retry("retry: 1500\n"), Some(1500));
        assert_eq!(retry("retry:0\n"), Some(0));
        assert_eq!(retry("retry: 1500\nretry: 20\n"), Some(20));
        for ignored in [
            "",
            "+5",
            "-5",
            "1.5",
            "15x",
            " 5",
            "5 ",
            "١٢",
            "99999999999999999999999",
        ] {
            assert_eq!(
                retry(&format!("retry: 7\nretry: {ignored}\n")),
                Some(7),
                "{ignored:?}"
            );
        }
        assert_eq!(retry("retry\n"), None);
        // It dispatches nothing and leaves the event alone.
        let (events, state) = assemble(&[b"data: 1\nretry: 30\n\n"]);
        assert_eq!(
            (events, state.retry),
            (vec![raw("message", None, "1")], Some(30))
        );
    }

    #[test]
    fn cr_lf_and_crlf_each_end_one_line() {
        let (events, _) = assemble(&[b"data: 1\r\n\r\ndata: 2\n\ndata: 3\r\rdata: 4\n\r\
            data: 5\r\n\ndata: 6\r\r\ndata: 7\n\r\n"]);
        assert_eq!(
            events,
            (1..=7)
                .map(|n| raw("message", None, &n.to_string()))
                .collect::<Vec<_>>()
        );
        // A CRLF split between two reads is one line end; a CR ending a read dispatches its
        // line without waiting for the next read's LF.
        let (events, _) = assemble(&[b"data: a\r", b"\n\r", b"\ndata: b\r", b"\r", b"\n"]);
        assert_eq!(
            events,
            [raw("message", None, "a"), raw("message", None, "b")]
        );
    }

    #[test]
    fn one_leading_byte_order_mark_is_stripped_and_no_other() {
        let (events, _) = assemble(&[b"\xEF\xBB", b"\xBFdata: 1\n\n"]);
        assert_eq!(events, [raw("message", None, "1")]);
        // A second one is part of the first field's name (not `data`), as WHATWG has it.
        let (events, _) = assemble(&["\u{feff}\u{feff}data: 1\n\ndata: 2\n\n".as_bytes()]);
        assert_eq!(events, [raw("message", None, "2")]);
        let (events, _) = assemble(&["data: 1\n\n\u{feff}data: 2\n\n".as_bytes()]);
        assert_eq!(events, [raw("message", None, "1")]);
        // Through the whole stream: no panic (`eventsource-stream` sliced it at byte 1).
        assert_eq!(
            data(&parse(&[
                "\u{feff}\u{feff}data: 1\n\ndata: 2\n\n".as_bytes()
            ])),
            vec![json!(2)]
        );
    }

    #[test]
    fn an_unterminated_last_event_is_dispatched_at_the_end_of_the_body() {
        let (events, _) = assemble(&[b"data: 1\n\nevent: e\nid: 3\ndata: x\ndata: y"]);
        assert_eq!(
            events,
            [raw("message", None, "1"), raw("e", Some("3"), "x\ny")]
        );
        let (events, _) = assemble(&[b"data: x\n: a comment without a line end"]);
        assert_eq!(events, [raw("message", None, "x")]);
        // Nothing pending: nothing more.
        let (events, _) = assemble(&[b"data: x\n\nevent: e\n"]);
        assert_eq!(events, [raw("message", None, "x")]);
        let (events, _) = assemble(&[b""]);
        assert_eq!(events, []);
        // A failed body dispatches nothing after the failure.
        let chunks: Vec<std::result::Result<Bytes, BodyError>> = vec![
            Ok(Bytes::from_static(b"data: 1\n")),
            Err(BodyError::Other("reset".to_owned())),
        ];
        let mut events = Events::new(Lines::new(Box::pin(stream::iter(chunks))));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(matches!(
            events.poll_event(&mut cx),
            Poll::Ready(Some(Err(BodyError::Other(e)))) if e == "reset"
        ));
        assert!(matches!(events.poll_event(&mut cx), Poll::Ready(None)));
    }

    #[test]
    fn the_data_of_one_event_is_bounded() {
        let line = Bytes::from([&b"data: "[..], &[b'a'; 1 << 20], b"\n"].concat());
        let body = std::iter::once(Bytes::from_static(b"data: 1\n\n"))
            .chain(std::iter::repeat_n(line, 100))
            .map(Ok::<_, std::io::Error>);
        let events = EventStream::<Value>::from_byte_stream("test", stream::iter(body));
        let events: Vec<_> = futures_executor_lite(events.collect());
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0].as_ref().unwrap().data, json!(1));
        match &events[1] {
            Err(Error::Stream { reason, .. }) => assert_eq!(
                reason,
                "an event's data is longer than the 67108864-byte limit"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn events_without_data_hold_no_memory() {
        // A million blank lines, event types and ids without data, then one event.
        let junk = b"\n\r\n\revent: x\nid: 1\n: c\n\n".repeat(1 << 17);
        let (events, state) = assemble(&[&junk, b"data: 1\n\n"]);
        assert_eq!(events, [raw("message", Some("1"), "1")]);
        assert_eq!((state.event.capacity(), state.data.capacity()), (0, 0));
    }

    #[test]
    fn the_errors_keep_their_messages() {
        let chunks: Vec<std::result::Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"data: 1\n\n")),
            Err(std::io::Error::other("reset by peer")),
        ];
        let events = EventStream::<Value>::from_byte_stream("op", stream::iter(chunks));
        let events: Vec<_> = futures_executor_lite(events.collect());
        match &events[..] {
            [
                Ok(_),
                Err(Error::Stream {
                    operation,
                    request_id,
                    reason,
                }),
            ] => assert_eq!(
                (*operation, request_id.as_str(), reason.as_str()),
                ("op", "", "the body broke off: reset by peer")
            ),
            other => panic!("{other:?}"),
        }
        match &parse(&[b"event: e\ndata: nope\n\n"])[..] {
            [Err(e)] => assert!(
                e.contains("event `e`: data ") && e.ends_with("data starts: nope"),
                "{e}"
            ),
            other => panic!("{other:?}"),
        }
    }

    /// The whole pipeline (framer and assembly, then decoding) under every way of cutting the
    /// body into three reads, with every field rule, every line ending and a byte order mark.
    #[test]
    fn every_split_of_a_body_gives_the_same_exact_events() {
        let body: &[u8] = "\u{feff}:c\r\nretry: 10\r\nid: a\r\nevent: one\r\ndata:1\r\n\r\n\
            id\nevent: two\ndata: [\ndata:  2]\nfoo: 9\n\n\
            \rid: b\0\rdata\rdata: 3\r\r\
            :x\nevent: no-data\n\n\
            data: {\"k\":\"日本\"}\ndata"
            .as_bytes();
        let event = |event: &str, id: Option<&str>, data: Value| {
            Ok(Event {
                event: event.to_owned(),
                id: id.map(str::to_owned),
                data,
            })
        };
        let expected = vec![
            event("one", Some("a"), json!(1)),
            event("two", None, json!([2])),
            event("message", None, json!(3)),
            event("message", None, json!({"k": "日本"})),
        ];
        for i in 0..=body.len() {
            for j in i..=body.len() {
                let split = parse(&[&body[..i], &body[i..j], &body[j..]]);
                assert_eq!(split, expected, "split at {i} and {j}");
            }
        }
    }
}
