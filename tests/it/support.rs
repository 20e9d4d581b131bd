//! A raw TCP server for fault tests: it reads as much of each request as told, counts what it
//! saw, and hands the socket to a script that misbehaves.

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

/// A server on 127.0.0.1 that reads `read` of each request, then runs `behave`.
pub async fn raw_server_reading<F, Fut>(read: Read, behave: F) -> (String, Seen)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
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
                    let Some(body) = read_request(&mut socket, read == Read::Whole).await else {
                        return;
                    };
                    seen.requests.fetch_add(1, Ordering::SeqCst);
                    seen.bodies.lock().unwrap().push(body);
                }
                behave(socket).await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

/// Reads a request head, and its body when `whole`; `None` when the peer goes away first.
async fn read_request(socket: &mut TcpStream, whole: bool) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    if !whole {
        return Some(Vec::new());
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    socket.read_exact(&mut body).await.ok()?;
    Some(body)
}
