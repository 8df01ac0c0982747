//! The connections: a cap on how many are open at once, and a time limit on reading each
//! request's header. `axum::serve` has neither knob (and hyper's own header timeout needs a
//! timer that axum does not give it), so the listener handed to it does both.
//!
//! How the header limit works: a connection is either waiting for a request's header (from
//! the moment it is accepted, and again from the moment the previous answer is produced) or
//! busy with a request (from the moment the request reaches the router). Reads while waiting
//! must end before the header deadline; past it the read fails and hyper closes the
//! connection. The router tells the connection which phase it is in through [`ConnHandle`].
//! The body of a request is timed by the routes that read it, not here.
//!
//! What it must not do: look at, keep or log any byte that passes through; it only times the
//! reads.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// A TCP listener that accepts at most `max_connections` open connections (past it, new ones
/// wait in the kernel's backlog until one closes) and gives each the header time limit.
pub(super) struct Limited {
    listener: TcpListener,
    slots: Arc<Semaphore>,
    header_timeout: Duration,
}

impl Limited {
    pub(super) fn new(
        listener: TcpListener,
        max_connections: usize,
        header_timeout: Duration,
    ) -> Self {
        Limited {
            listener,
            slots: Arc::new(Semaphore::new(
                max_connections.clamp(1, Semaphore::MAX_PERMITS),
            )),
            header_timeout,
        }
    }
}

impl Listener for Limited {
    type Io = Conn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Conn, SocketAddr) {
        // the slot first: past the cap nothing more is accepted until a connection closes
        let Ok(slot) = Arc::clone(&self.slots).acquire_owned().await else {
            // the semaphore is never closed
            return std::future::pending().await;
        };
        loop {
            match self.listener.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (Conn::new(stream, slot, self.header_timeout), addr);
                }
                // the client gave up before it was accepted: next
                Err(e) if is_connection_error(&e) => {}
                // out of file descriptors and the like: wait rather than spin
                Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Where a connection is: waiting for a request's header since an instant, or busy with a
/// request.
#[derive(Clone, Copy)]
enum Phase {
    Header { since: Instant },
    Request,
}

/// The phase of one connection, shared by the connection and its requests.
struct ConnState {
    phase: Mutex<Phase>,
}

impl ConnState {
    fn set(&self, phase: Phase) {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner) = phase;
    }

    fn get(&self) -> Phase {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One accepted connection: the stream, its slot under the cap (given back when hyper drops
/// the connection), and the header timer.
pub(super) struct Conn {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
    state: Arc<ConnState>,
    header_timeout: Duration,
    timer: Pin<Box<Sleep>>,
}

impl Conn {
    fn new(stream: TcpStream, slot: OwnedSemaphorePermit, header_timeout: Duration) -> Self {
        let now = Instant::now();
        Conn {
            stream,
            _slot: slot,
            state: Arc::new(ConnState {
                phase: Mutex::new(Phase::Header { since: now }),
            }),
            header_timeout,
            timer: Box::pin(tokio::time::sleep_until(now)),
        }
    }

    /// When the header being waited for must have arrived; `None` while a request is being
    /// answered (or when the limit is too far away to matter).
    fn header_deadline(&self) -> Option<Instant> {
        match self.state.get() {
            Phase::Header { since } => since.checked_add(self.header_timeout),
            Phase::Request => None,
        }
    }
}

fn header_timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the request header did not arrive in time",
    )
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let Some(deadline) = this.header_deadline() else {
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        };
        if Instant::now() >= deadline {
            return Poll::Ready(Err(header_timed_out()));
        }
        if this.timer.deadline() != deadline {
            this.timer.as_mut().reset(deadline);
        }
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if read.is_pending() && this.timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(header_timed_out()));
        }
        read
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// A request's view of its connection (axum's `ConnectInfo`): the router marks the
/// connection busy while it answers, see [`ConnHandle::busy`].
#[derive(Clone)]
pub(super) struct ConnHandle(Arc<ConnState>);

impl Connected<IncomingStream<'_, Limited>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, Limited>) -> Self {
        ConnHandle(Arc::clone(&stream.io().state))
    }
}

impl ConnHandle {
    /// The connection is busy with a request until the returned guard is dropped (the answer
    /// is produced, or the request abandoned); then the next header's time starts.
    pub(super) fn busy(&self) -> Busy {
        self.0.set(Phase::Request);
        Busy(Arc::clone(&self.0))
    }
}

/// See [`ConnHandle::busy`].
pub(super) struct Busy(Arc<ConnState>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.set(Phase::Header {
            since: Instant::now(),
        });
    }
}
