//! Uploading an asset: sign, `PUT` the bytes to the signed URL, confirm.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use tokio::io::AsyncRead;

use super::{BODY_SNIPPET_LIMIT, Cancel, FlowError, required};
use crate::{Client, types};

/// The operation whose answer [`FlowError::UnexpectedAnswer`] names: its row of
/// [`OPERATIONS`](crate::OPERATIONS), so a renamed operation is a compile error here.
const SIGN: &str = types::ops::assets_create_upload_sign::OPERATION.name;

/// The asset kinds: the `type` field of the signature request's body, named through the
/// operation (not by the component typify names it after, which a spec change may rename).
type UploadKind = types::ops::assets_create_upload_sign::body::Type;

/// Size of the pieces the bytes are sent (and progress reported) in.
const CHUNK: usize = 64 * 1024;

impl Client {
    /// Uploads `source` as an asset: asks for an upload signature
    /// (`assets_create_upload_sign`), `PUT`s the bytes to the signed URL, streamed, and
    /// confirms the upload (`assets_confirm_upload`). The confirmed asset's `url` is what a
    /// publish flow's `content.media[n].url` takes.
    ///
    /// ```no_run
    /// # async fn run(client: aitoearn::Client) -> Result<(), aitoearn::flows::FlowError> {
    /// use aitoearn::flows::UploadSource;
    /// use aitoearn::types::ops::assets_create_upload_sign::body::Type as Kind;
    ///
    /// let asset = client
    ///     .upload(UploadSource::file("clip.mp4"))
    ///     .kind(Kind::PublishMedia)
    ///     .on_progress(|p| eprint!("\r{}/{} bytes", p.sent, p.total))
    ///     .send()
    ///     .await?;
    /// println!("\nuploaded: {}", asset.url.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, source: UploadSource) -> Upload {
        Upload {
            client: self.clone(),
            source,
            filename: None,
            kind: None,
            content_type: None,
            progress: None,
            http: None,
            cancel: Cancel::default(),
        }
    }
}

/// What to upload: bytes in memory, a file, or any async reader. Files and readers are streamed,
/// never read into memory whole.
pub struct UploadSource {
    filename: Option<String>,
    body: SourceBody,
}

enum SourceBody {
    Bytes(Bytes),
    File(PathBuf),
    Reader {
        reader: Pin<Box<dyn AsyncRead + Send>>,
        size: u64,
    },
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UploadSource");
        d.field("filename", &self.filename);
        match &self.body {
            SourceBody::Bytes(b) => d.field("bytes", &b.len()),
            SourceBody::File(p) => d.field("file", p),
            SourceBody::Reader { size, .. } => d.field("reader_size", size),
        };
        d.finish()
    }
}

impl UploadSource {
    /// Bytes in memory, uploaded as `filename` (with its extension: the service files it by
    /// name, and the content type is guessed from it).
    pub fn bytes(filename: impl Into<String>, data: impl Into<Bytes>) -> Self {
        Self {
            filename: Some(filename.into()),
            body: SourceBody::Bytes(data.into()),
        }
    }

    /// The file at `path`, uploaded under its own name. It is opened when the upload is sent.
    pub fn file(path: impl AsRef<Path>) -> Self {
        Self {
            filename: None,
            body: SourceBody::File(path.as_ref().to_path_buf()),
        }
    }

    /// `size` bytes read from `reader`, uploaded as `filename`. Signed storage URLs need the
    /// length up front; a reader that ends early or goes on longer fails the upload.
    pub fn reader(
        filename: impl Into<String>,
        reader: impl AsyncRead + Send + 'static,
        size: u64,
    ) -> Self {
        Self {
            filename: Some(filename.into()),
            body: SourceBody::Reader {
                reader: Box::pin(reader),
                size,
            },
        }
    }
}

/// How far an upload's `PUT` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Bytes handed to the connection so far.
    pub sent: u64,
    /// Bytes in all.
    pub total: u64,
}

type ProgressFn = Box<dyn FnMut(UploadProgress) + Send>;

/// Configures an upload; made by [`Client::upload`].
#[must_use = "nothing is uploaded until `.send()` is awaited"]
pub struct Upload {
    client: Client,
    source: UploadSource,
    filename: Option<String>,
    kind: Option<UploadKind>,
    content_type: Option<String>,
    progress: Option<ProgressFn>,
    http: Option<reqwest::Client>,
    cancel: Cancel,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("source", &self.source)
            .field("filename", &self.filename)
            .field("kind", &self.kind)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl Upload {
    /// The asset's kind (default: the service's, `temp`). Media for a publish flow is
    /// `PublishMedia`. The type is the signature request's `type` field
    /// ([`types::ops::assets_create_upload_sign::body::Type`]), named through the operation.
    pub fn kind(mut self, kind: UploadKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// The name the asset is filed under, instead of the source's.
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// The `Content-Type` of the `PUT` (default: guessed from the file name's extension,
    /// else `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Called as the bytes go out: after every piece (64 KiB) of the `PUT` and once at the
    /// end, from the task that runs the upload. Keep it quick.
    pub fn on_progress(mut self, f: impl FnMut(UploadProgress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// The HTTP client for the `PUT` to the storage (default: the API client's own HTTP
    /// client, so its proxy and TLS settings apply). Never sent the API key.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Stops the upload with [`FlowError::Cancelled`] when `signal` completes (see the
    /// [module docs](super#cancelling)). An unconfirmed asset is left behind.
    pub fn cancel_on<F>(mut self, signal: F) -> Self
    where
        F: Future + Send + 'static,
    {
        self.cancel = Cancel::new(signal);
        self
    }

    /// Runs the upload and returns the confirmed asset.
    ///
    /// Errors: [`FlowError::Io`] if the source cannot be read, [`FlowError::Api`] if signing
    /// or confirming fails (e.g. `AssetTooLarge`), [`FlowError::UploadRejected`] /
    /// [`FlowError::UploadTransport`] if the `PUT` fails — then nothing is confirmed.
    pub async fn send(self) -> Result<types::ops::assets_confirm_upload::Output, FlowError> {
        let cancel = self.cancel.clone();
        cancel.run(self.run()).await
    }

    async fn run(self) -> Result<types::ops::assets_confirm_upload::Output, FlowError> {
        let Self {
            client,
            source,
            filename,
            kind,
            content_type,
            progress,
            http,
            cancel: _,
        } = self;
        // Open the source first: a missing file must not leave a signed, unused asset behind.
        let opened = open(source).await?;
        let filename = filename
            .or(opened.filename)
            .unwrap_or_else(|| "upload".into());
        let content_type = content_type.unwrap_or_else(|| guess_content_type(&filename).into());
        let size = opened.size;

        let sign = client.assets_create_upload_sign().body_map(|b| {
            let b = b.filename(filename.clone()).size(Some(size as f64));
            match kind {
                Some(kind) => b.type_(kind),
                None => b,
            }
        });
        let signed: types::ops::assets_create_upload_sign::Output = Box::pin(sign.send()).await?;
        let id = required(SIGN, "id", signed.id)?;
        let upload_url = required(SIGN, "uploadUrl", signed.upload_url)?;
        let upload_url = resolve_url(client.base_url(), &upload_url).ok_or_else(|| {
            FlowError::UnexpectedAnswer {
                operation: SIGN,
                reason: "`uploadUrl` is not a URL".into(),
            }
        })?;

        let read_error = Arc::new(Mutex::new(None));
        let body = Counted {
            inner: opened.stream,
            sent: 0,
            total: size,
            progress,
            read_error: read_error.clone(),
        };
        // The client's own HTTP stack (proxy, TLS): the API key is added per operation by the
        // hooks, so this PUT never carries it. Redirects are not followed (the SDK's client
        // has `redirect::Policy::none()`, and a streamed body could not be replayed anyway):
        // a storage `3xx` is `UploadRejected` with its status, nothing is confirmed.
        let http = http.unwrap_or_else(|| client.http().clone());
        let content_type = HeaderValue::from_str(&content_type).map_err(|_| {
            FlowError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the content type is not a valid header value",
            ))
        })?;
        let put = http
            .put(upload_url)
            .header(CONTENT_TYPE, content_type)
            .header(CONTENT_LENGTH, size)
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await;
        let taken_read_error = || read_error.lock().ok().and_then(|mut e| e.take());
        let response = match put {
            Ok(r) => r,
            Err(e) => {
                return Err(match taken_read_error() {
                    Some(io) => FlowError::Io(io),
                    // The signed URL carries credentials: keep it out of the error.
                    None => FlowError::UploadTransport(e.without_url()),
                });
            }
        };
        if let Some(io) = taken_read_error() {
            return Err(FlowError::Io(io));
        }
        let status = response.status();
        if !status.is_success() {
            let body = response.bytes().await.unwrap_or_default();
            return Err(FlowError::UploadRejected {
                status: status.as_u16(),
                body: snippet(&body),
            });
        }
        Ok(Box::pin(client.assets_confirm_upload(id.as_str()).send()).await?)
    }
}

struct Opened {
    filename: Option<String>,
    size: u64,
    stream: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
}

async fn open(source: UploadSource) -> Result<Opened, FlowError> {
    Ok(match source.body {
        SourceBody::Bytes(bytes) => Opened {
            filename: source.filename,
            size: bytes.len() as u64,
            stream: Box::pin(futures_util::stream::iter(chunks(bytes).map(Ok))),
        },
        SourceBody::File(path) => {
            let with_path = |e: std::io::Error| {
                std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
            };
            let file = tokio::fs::File::open(&path).await.map_err(with_path)?;
            let meta = file.metadata().await.map_err(with_path)?;
            if !meta.is_file() {
                return Err(FlowError::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("{} is not a file", path.display()),
                )));
            }
            Opened {
                filename: source
                    .filename
                    .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned())),
                size: meta.len(),
                stream: Box::pin(tokio_util::io::ReaderStream::with_capacity(file, CHUNK)),
            }
        }
        SourceBody::Reader { reader, size } => Opened {
            filename: source.filename,
            size,
            stream: Box::pin(tokio_util::io::ReaderStream::with_capacity(reader, CHUNK)),
        },
    })
}

fn chunks(mut bytes: Bytes) -> impl Iterator<Item = Bytes> {
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let n = bytes.len().min(CHUNK);
        Some(bytes.split_to(n))
    })
}

/// The body of the `PUT`: the source's bytes, counted against the declared size, with
/// progress reported.
struct Counted {
    inner: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
    sent: u64,
    total: u64,
    progress: Option<ProgressFn>,
    /// A read failure, kept to be reported as such rather than as a failed `PUT`.
    read_error: Arc<Mutex<Option<std::io::Error>>>,
}

impl Counted {
    fn fail(&mut self, error: std::io::Error) -> Poll<Option<std::io::Result<Bytes>>> {
        let message = error.to_string();
        if let Ok(mut slot) = self.read_error.lock() {
            *slot = Some(error);
        }
        Poll::Ready(Some(Err(std::io::Error::other(message))))
    }
}

impl Stream for Counted {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match this.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.sent += chunk.len() as u64;
                if this.sent > this.total {
                    let total = this.total;
                    return this.fail(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("the source is longer than its declared {total} bytes"),
                    ));
                }
                if let Some(f) = &mut this.progress {
                    f(UploadProgress {
                        sent: this.sent,
                        total: this.total,
                    });
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => this.fail(e),
            Poll::Ready(None) if this.sent < this.total => {
                let (sent, total) = (this.sent, this.total);
                this.fail(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("the source ended after {sent} of its declared {total} bytes"),
                ))
            }
            Poll::Ready(None) => {
                // An empty upload still reports that it is done.
                if let (0, Some(f)) = (this.total, &mut this.progress) {
                    f(UploadProgress { sent: 0, total: 0 });
                }
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

/// An absolute `uploadUrl` as is; a relative one against the API's base URL.
fn resolve_url(base: &str, url: &str) -> Option<url::Url> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
        Ok(_) => None,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            url::Url::parse(&format!("{}/", base.trim_end_matches('/')))
                .ok()?
                .join(url)
                .ok()
        }
        Err(_) => None,
    }
}

fn snippet(body: &[u8]) -> String {
    let end = body.len().min(BODY_SNIPPET_LIMIT);
    let mut s = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > end {
        s.push('…');
    }
    s
}

/// The content type for a file name's extension.
fn guess_content_type(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "heic" => "image/heic",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "avi" => "video/x-msvideo",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "wav" => "audio/wav",
        "aac" => "audio/aac",
        "srt" => "application/x-subrip",
        "txt" => "text/plain",
        "json" => "application/json",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(guess_content_type("a.MP4"), "video/mp4");
        assert_eq!(guess_content_type("cover.jpeg"), "image/jpeg");
        assert_eq!(guess_content_type("noext"), "application/octet-stream");
        assert_eq!(
            guess_content_type("archive.tar.gz"),
            "application/octet-stream"
        );
    }

    #[test]
    fn upload_urls_resolve_against_the_base() {
        let abs = resolve_url("https://aitoearn.ai", "https://oss.example.com/a?sig=1").unwrap();
        assert_eq!(abs.as_str(), "https://oss.example.com/a?sig=1");
        let rel = resolve_url("http://127.0.0.1:9/api", "/storage/a").unwrap();
        assert_eq!(rel.as_str(), "http://127.0.0.1:9/storage/a");
        assert!(resolve_url("https://aitoearn.ai", "ftp://x/y").is_none());
    }

    #[test]
    fn bytes_go_out_in_pieces() {
        let data = Bytes::from(vec![7u8; CHUNK * 2 + 5]);
        let pieces: Vec<usize> = chunks(data).map(|c| c.len()).collect();
        assert_eq!(pieces, [CHUNK, CHUNK, 5]);
        assert_eq!(chunks(Bytes::new()).count(), 0);
    }
}
