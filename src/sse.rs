//! Server-Sent Events as a typed `Stream`.
//!
//! Parsing follows the WHATWG event-stream rules and is done by `eventsource-stream`, behind a
//! line framer of our own ([`Lines`]) that fixes four defects of that crate (0.2.3) when it is
//! fed network reads directly:
//!
//! - **A byte order mark panics.** The crate strips a leading U+FEFF with `&s[1..]`, inside the
//!   three bytes of the character. The framer strips it first.
//! - **A final event without a trailing blank line is lost.** At the end of the body the crate
//!   drops whatever it has buffered. The framer ends the last line and adds the blank line, so
//!   the event is dispatched; if it was cut short its data fails to decode, so truncation is
//!   reported, never silent. (WHATWG discards such an event because a browser reconnects and
//!   gets it again; an SDK call does not reconnect.)
//! - **Invalid UTF-8 stalls the stream.** The crate keeps the bytes after an invalid sequence
//!   and appends every later read to them, so no further event is ever yielded and memory grows
//!   until the body ends. The framer decodes each line as WHATWG says (invalid sequences become
//!   U+FFFD).
//! - **Quadratic work on long lines and large reads.** The crate parses its whole buffer again on
//!   every read until a line is complete (a multi-megabyte base64 image line arriving in 16 KiB
//!   reads is scanned hundreds of times), and copies the rest of its buffer after every line.
//!   The framer hands it one complete line at a time, so every byte is scanned a fixed number of
//!   times.
//!
//! The framer also normalises the three line endings (CRLF, LF, lone CR, also when a CRLF is
//! split across two reads) and dispatches a lone-CR line without waiting for the next read.
//! On top of the parsed events, this module decodes each event's `data` and ends the stream at
//! the OpenAI-style `[DONE]` sentinel.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use eventsource_stream::{EventStreamError, Eventsource};
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
}

/// The longest line the parser takes (the client's default limit on a body read into memory):
/// a server that never ends a line cannot make the stream hold unbounded memory.
const MAX_LINE: usize = 64 * 1024 * 1024;

/// The body.
type Source = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, BodyError>> + Send + Sync>>;

type Inner = Pin<
    Box<
        dyn Stream<
                Item = std::result::Result<eventsource_stream::Event, EventStreamError<BodyError>>,
            > + Send
            + Sync,
    >,
>;

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
    inner: Option<Inner>,
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
            inner: Some(Box::pin(Lines::new(source).eventsource())),
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
        let item = match inner.as_mut().poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(item) => item,
        };
        let out = match item {
            None => None,
            Some(Ok(ev)) if ev.data.trim() == "[DONE]" => None,
            Some(Ok(ev)) => {
                let decoded = crate::decode::from_json::<T>(&ev.data);
                // A bad event is reported and the stream goes on.
                return Poll::Ready(Some(match decoded {
                    Ok(data) => Ok(Event {
                        event: ev.event,
                        id: (!ev.id.is_empty()).then_some(ev.id),
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
            Some(Err(EventStreamError::Transport(BodyError::Http(e)))) => {
                Some(Err(Error::transport(operation, &self.request_id, e)))
            }
            Some(Err(EventStreamError::Transport(BodyError::Other(reason)))) => {
                Some(Err(Error::Stream {
                    operation,
                    request_id: self.request_id.to_string(),
                    reason: format!("the body broke off: {reason}"),
                }))
            }
            Some(Err(EventStreamError::Transport(BodyError::LineTooLong))) => {
                Some(Err(Error::Stream {
                    operation,
                    request_id: self.request_id.to_string(),
                    reason: format!("a line is longer than the {MAX_LINE}-byte limit"),
                }))
            }
            // Not produced for the framed lines this module feeds the parser; kept total.
            Some(Err(EventStreamError::Utf8(e))) => Some(Err(Error::Stream {
                operation,
                request_id: self.request_id.to_string(),
                reason: e.to_string(),
            })),
            Some(Err(EventStreamError::Parser(e))) => Some(Err(Error::Stream {
                operation,
                request_id: self.request_id.to_string(),
                reason: e.to_string(),
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

/// Splits a byte stream into complete lines, each valid UTF-8 and ending in `\n` (or `\r\n`),
/// one line per item; at the clean end of the body, ends a last unterminated line and adds a
/// blank line so that a pending event is dispatched. See the module documentation for why.
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

    /// A line as handed to the parser: valid UTF-8, without the byte order mark that may open
    /// the stream.
    fn emit(&mut self, mut line: Bytes) -> Bytes {
        if std::mem::take(&mut self.at_start) && line.starts_with(BOM) {
            line.advance(BOM.len());
        }
        utf8_lossy(line)
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
        let lone_cr = term == 1 && chunk[end] == b'\r';
        let line = if self.partial.is_empty() && !lone_cr {
            // The common case: the whole line is in this read; no copy.
            chunk.split_to(end + term)
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

/// U+FEFF in UTF-8. `eventsource-stream` strips it itself, but slices it at byte 1 and
/// panics, so it never gets to see it.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `parts`, then `last`, then a LF, in one buffer of that size.
fn join(parts: &[Bytes], last: &[u8]) -> Bytes {
    let len = parts.iter().map(Bytes::len).sum::<usize>() + last.len() + 1;
    let mut line = BytesMut::with_capacity(len);
    for part in parts {
        line.extend_from_slice(part);
    }
    line.extend_from_slice(last);
    line.put_u8(b'\n');
    line.freeze()
}

/// WHATWG decodes the stream with "UTF-8 decode": invalid sequences become U+FFFD. A line
/// always ends on a character boundary, so it can be decoded on its own.
fn utf8_lossy(line: Bytes) -> Bytes {
    match std::str::from_utf8(&line) {
        Ok(_) => line,
        Err(_) => Bytes::from(String::from_utf8_lossy(&line).into_owned()),
    }
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
                    // Nothing after the error: the partial event is not dispatched.
                    this.chunk = Bytes::new();
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.source = None;
                    // End the unterminated last line, if any, and dispatch a pending event.
                    let tail = if this.partial.is_empty() {
                        Bytes::from_static(b"\n")
                    } else {
                        join(&this.partial, b"\n")
                    };
                    this.partial.clear();
                    return Poll::Ready(Some(Ok(this.emit(tail))));
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
}
