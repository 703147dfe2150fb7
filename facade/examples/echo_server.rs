//! A TCP echo server on 127.0.0.1 serving every client from one thread through a `Selector`.
//!
//! ```text
//! cargo run -p select --example echo_server                   # serve until killed
//! cargo run -p select --example echo_server -- --clients 100  # also load itself, then exit
//! ```
//!
//! With no arguments it prints the backend in use and the address, and serves until Ctrl-C;
//! try it with `nc 127.0.0.1 PORT`. With `--clients N` it also starts N client threads that
//! each make `--round-trips M` (default 1000) blocking round trips of a 64-byte message, then
//! prints the round trips per second and exits 0 (1 if a client saw a wrong echo).
//!
//! Python: the `selectors` module's echo server example, with a thread pool of clients added.

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use select::{DEFAULT_BACKEND, DefaultBackend, Interest, Readiness, Selector};

/// The data of the listener's key; clients use their descriptor number.
const LISTENER: RawFd = -1;

/// One client connection and the bytes it sent that were not yet echoed back.
struct Client {
    stream: TcpStream,
    pending: Vec<u8>,
}

struct Options {
    clients: usize,
    round_trips: usize,
    port: u16,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options { clients: 0, round_trips: 1000, port: 0 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            let text = args.next().ok_or(format!("{name} needs a value"))?;
            text.parse().map_err(|_| format!("{name}: {text:?} is not a number"))
        };
        match arg.as_str() {
            "--clients" => options.clients = value("--clients")?,
            "--round-trips" => options.round_trips = value("--round-trips")?,
            "--port" => {
                let port = value("--port")?;
                options.port = u16::try_from(port).map_err(|_| format!("--port {port}"))?;
            }
            "-h" | "--help" => {
                return Err("usage: echo_server [--clients N] [--round-trips M] [--port P]".into());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("echo_server: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> io::Result<bool> {
    let listener = TcpListener::bind(("127.0.0.1", options.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let mut selector: Selector<DefaultBackend, RawFd> = Selector::new()?;
    selector.register(&listener, Interest::READABLE, LISTENER)?;
    println!("echo_server: {DEFAULT_BACKEND} backend, listening on {addr}");

    // The load generator, if asked for: it wakes the selector once every client is done.
    let done = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let load = if options.clients > 0 {
        let waker = selector.waker()?;
        let (done, failures) = (Arc::clone(&done), Arc::clone(&failures));
        let (clients, round_trips) = (options.clients, options.round_trips);
        Some(thread::spawn(move || {
            let start = Instant::now();
            let threads: Vec<_> = (0..clients)
                .map(|id| thread::spawn(move || client(addr, id, round_trips)))
                .collect();
            for thread in threads {
                if let Err(error) = thread.join().unwrap_or_else(|_| Err(io::Error::other("panic")))
                {
                    eprintln!("echo_server: client failed: {error}");
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
            let elapsed = start.elapsed();
            done.store(true, Ordering::Release);
            waker.wake().expect("wake the server");
            elapsed
        }))
    } else {
        None
    };

    let mut clients: HashMap<RawFd, Client> = HashMap::new();
    // Reused for every select: the ready keys are copied out so the handlers can change the
    // registrations.
    let mut ready: Vec<(RawFd, Readiness)> = Vec::with_capacity(select::DEFAULT_CAPACITY);
    while !done.load(Ordering::Acquire) {
        ready.clear();
        ready.extend(selector.select(None)?.map(|(key, readiness)| (*key.data(), readiness)));
        for &(token, readiness) in &ready {
            if token == LISTENER {
                accept_all(&listener, &mut selector, &mut clients)?;
            } else if let Some(client) = clients.get_mut(&token) {
                let open = serve(client, readiness)?;
                let fd = client.stream.as_raw_fd();
                if !open {
                    selector.unregister(&client.stream)?;
                    clients.remove(&fd);
                } else {
                    let interest = if client.pending.is_empty() {
                        Interest::READABLE
                    } else {
                        Interest::WRITABLE
                    };
                    if selector.get_key_raw(fd).map(select::SelectorKey::interest) != Some(interest)
                    {
                        selector.modify(&client.stream, interest, fd)?;
                    }
                }
            }
        }
    }

    let Some(load) = load else { return Ok(true) };
    let elapsed = load.join().map_err(|_| io::Error::other("load thread panicked"))?;
    let total = options.clients * options.round_trips;
    #[allow(clippy::cast_precision_loss, reason = "a rate printed with 3 significant digits")]
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "echo_server: {} clients x {} round trips = {total} round trips in {:.3} s: {rate:.0} round trips/s ({DEFAULT_BACKEND})",
        options.clients,
        options.round_trips,
        elapsed.as_secs_f64(),
    );
    Ok(failures.load(Ordering::Relaxed) == 0)
}

/// Accepts every pending connection and registers it for reading.
fn accept_all(
    listener: &TcpListener,
    selector: &mut Selector<DefaultBackend, RawFd>,
    clients: &mut HashMap<RawFd, Client>,
) -> io::Result<()> {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(true)?;
                stream.set_nodelay(true)?;
                let fd = stream.as_raw_fd();
                selector.register(&stream, Interest::READABLE, fd)?;
                clients.insert(fd, Client { stream, pending: Vec::new() });
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            // A client that gave up before it was accepted is not the server's problem.
            Err(error) if error.kind() == ErrorKind::ConnectionAborted => {}
            Err(error) => return Err(error),
        }
    }
}

/// Reads what the client sent and writes it back; returns whether the connection is open.
fn serve(client: &mut Client, readiness: Readiness) -> io::Result<bool> {
    if readiness.intersects(Readiness::READABLE | Readiness::HANGUP | Readiness::ERROR) {
        let mut buf = [0u8; 4096];
        loop {
            match client.stream.read(&mut buf) {
                Ok(0) => return Ok(false),
                Ok(n) => client.pending.extend_from_slice(&buf[..n]),
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Ok(false),
            }
        }
    }
    while !client.pending.is_empty() {
        match client.stream.write(&client.pending) {
            Ok(n) => {
                client.pending.drain(..n);
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => break,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Ok(false),
        }
    }
    Ok(true)
}

/// One load client: `round_trips` blocking round trips of a 64-byte message, each checked.
fn client(addr: SocketAddr, id: usize, round_trips: usize) -> io::Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let mut message = [0u8; 64];
    let mut echo = [0u8; 64];
    for trip in 0..round_trips {
        let stamp = format!("client {id} trip {trip}");
        message[..stamp.len()].copy_from_slice(stamp.as_bytes());
        stream.write_all(&message)?;
        stream.read_exact(&mut echo)?;
        if echo != message {
            return Err(io::Error::other(format!("client {id}: wrong echo on trip {trip}")));
        }
    }
    Ok(())
}
