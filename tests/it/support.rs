//! The raw TCP server of the fault and streaming tests: it reads as much of each request as
//! told, counts what it saw, and hands the socket to a script that misbehaves or answers byte by
//! byte.

#![allow(dead_code)] // not every helper is used by every test

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// How much of a request the server reads before the script runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Nothing: the script runs as soon as the connection is accepted.
    Nothing,
    /// The request head (line and headers).
    Head,
    /// The head and its `Content-Length` body.
    Whole,
}

/// What the server saw.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    bodies: Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
}

impl Seen {
    /// Connections accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
    /// Requests read as far as the server was told to read them.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
    /// The bodies read (with [`Read::Whole`]).
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.bodies.lock().unwrap().clone()
    }
}

/// A server on 127.0.0.1 that reads one request head per connection, then runs `behave`.
pub async fn raw_server<F, Fut>(behave: F) -> (String, Seen)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    raw_server_reading(Read::Head, behave).await
}

/// A listener on a free port of 127.0.0.1, and its base URL.
pub async fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, format!("http://{addr}"))
}

/// A request as the server read it.
#[derive(Debug)]
pub struct Request {
    /// The request line and headers, up to and with the blank line.
    pub head: String,
    /// The `Content-Length` body (empty when only the head was read).
    pub body: Vec<u8>,
}

impl Request {
    /// `GET /path HTTP/1.1`.
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

/// A server on 127.0.0.1 that reads `read` of each request, then runs `behave`.
pub async fn raw_server_reading<F, Fut>(read: Read, behave: F) -> (String, Seen)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (listener, url) = listen().await;
    let seen = Seen::default();
    let counter = seen.clone();
    let behave = Arc::new(behave);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = counter.clone();
            let behave = behave.clone();
            seen.connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if read != Read::Nothing {
                    let Some(request) = read_request(&mut socket, read == Read::Whole).await else {
                        return;
                    };
                    seen.requests.fetch_add(1, Ordering::SeqCst);
                    seen.bodies.lock().unwrap().push(request.body);
                }
                behave(socket).await;
            });
        }
    });
    (url, seen)
}

/// Reads a request head, and its body when `whole`; `None` when the peer goes away first. The
/// head is read byte by byte, so nothing after the request is consumed.
pub async fn read_request(socket: &mut TcpStream, whole: bool) -> Option<Request> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let mut request = Request {
        head: String::from_utf8_lossy(&head).into_owned(),
        body: Vec::new(),
    };
    if !whole {
        return Some(request);
    }
    let length = request
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    request.body = vec![0u8; length];
    socket.read_exact(&mut request.body).await.ok()?;
    Some(request)
}
