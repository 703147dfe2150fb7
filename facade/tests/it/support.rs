//! Helpers shared by the tests: real kernel objects, descriptor counting and a lock that keeps
//! descriptor counts exact while other tests run.

use std::net::{TcpListener, TcpStream};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::sync::{PoisonError, RwLock, RwLockReadGuard};
use std::time::Duration;

/// Tests that open descriptors hold this for reading; a test that counts descriptors holds it
/// for writing, so no other test opens or closes one while it counts.
static FD_TABLE: RwLock<()> = RwLock::new(());

/// Shared access to the descriptor table: any number of tests at once.
pub(crate) fn shared() -> RwLockReadGuard<'static, ()> {
    FD_TABLE.read().unwrap_or_else(PoisonError::into_inner)
}

/// Exclusive access to the descriptor table, for counting (`/dev/fd`, Unix only).
#[cfg(unix)]
pub(crate) fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    FD_TABLE.write().unwrap_or_else(PoisonError::into_inner)
}

/// How many descriptors the process has open, from `/dev/fd` (which every supported Unix
/// provides; the directory's own descriptor is counted every time, so differences are exact).
#[cfg(unix)]
pub(crate) fn open_fds() -> usize {
    std::fs::read_dir("/dev/fd").expect("/dev/fd lists open descriptors").count()
}

/// The stream a `socketpair` gives: a Unix stream socket on Unix, a TCP socket on Windows,
/// which has no socketpair (and whose `select` takes sockets only).
#[cfg(unix)]
pub(crate) type Stream = UnixStream;
/// See the Unix definition.
#[cfg(windows)]
pub(crate) type Stream = TcpStream;

/// A connected pair of Unix stream sockets.
#[cfg(unix)]
pub(crate) fn socketpair() -> (Stream, Stream) {
    UnixStream::pair().expect("socketpair")
}

/// A connected pair of loopback TCP sockets, as Python's `socket.socketpair()` makes one on
/// Windows.
#[cfg(windows)]
pub(crate) fn socketpair() -> (Stream, Stream) {
    tcp_pair()
}

/// A connected pair of TCP sockets on 127.0.0.1.
pub(crate) fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let client = TcpStream::connect(listener.local_addr().expect("local_addr")).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    (client, server)
}

/// A generous bound for "returns eventually": a wait that should wake must do so well before.
pub(crate) const EVENTUALLY: Duration = Duration::from_secs(10);

/// Raises the soft `RLIMIT_NOFILE` to at least `wanted` (the hard limit permitting), so a test
/// can place a descriptor above select(2)'s `FD_SETSIZE`.
#[cfg(unix)]
pub(crate) fn raise_nofile(wanted: u64) {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|current| current < wanted) {
        limit.current = Some(limit.maximum.map_or(wanted, |max| max.min(wanted)));
        setrlimit(Resource::Nofile, limit).expect("setrlimit(RLIMIT_NOFILE)");
    }
}
