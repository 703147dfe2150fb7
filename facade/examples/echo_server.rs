//! A TCP echo server on 127.0.0.1 serving every client from one thread through a `Selector`.
//!
//! ```text
//! cargo run -p select-io --example echo_server                   # serve until killed
//! cargo run -p select-io --example echo_server -- --clients 100  # also load itself, then exit
//! cargo run -p select-io --example echo_server -- --clients 20 --half-close
//! ```
//!
//! With no arguments it prints the backend in use and the address, and serves until Ctrl-C;
//! try it with `nc 127.0.0.1 PORT`. With `--clients N` it also starts N client threads that
//! each make `--round-trips M` (default 1000) blocking round trips of a 64-byte message, then
//! prints the round trips per second and exits 0 (1 if a client saw a wrong echo). With
//! `--half-close`, each of a client's M exchanges is a new connection that sends its message
//! and shuts down its sending side at once, then reads the echo to the end: the server echoes
//! data that arrives together with the end of the stream before it closes the connection.
//!
//! The loop is Python's: `select` fills a results list the program owns, so handling a result
//! can register, modify and unregister; each key's data is the client's index in a slab.
//!
//! Python: the `selectors` module's echo server example, with a thread pool of clients added.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use select::{DEFAULT_BACKEND, DefaultBackend, Interest, Ready, ReadyEvent, Selector};

/// The data of the listener's key; a client's key holds its index in the slab of clients.
const LISTENER: usize = usize::MAX;

/// One client connection, the bytes it sent that were not yet echoed back, and whether it
/// shut down its sending side (end of file), after which only the echo is left to write.
struct Client {
    stream: TcpStream,
    pending: Vec<u8>,
    eof: bool,
}

/// The command line.
pub(crate) struct Options {
    /// How many load clients to start (0: serve until killed).
    pub(crate) clients: usize,
    /// How many exchanges each client makes.
    pub(crate) round_trips: usize,
    /// The port to listen on (0: any).
    pub(crate) port: u16,
    /// Whether each exchange is a new connection that sends its message and shuts down its
    /// sending side at once, then reads the echo to the end (`--half-close`).
    pub(crate) half_close: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options { clients: 0, round_trips: 1000, port: 0, half_close: false };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            let text = args.next().ok_or(format!("{name} needs a value"))?;
            text.parse().map_err(|_| format!("{name}: {text:?} is not a number"))
        };
        match arg.as_str() {
            "--clients" => options.clients = value("--clients")?,
            "--round-trips" => options.round_trips = value("--round-trips")?,
            "--half-close" => options.half_close = true,
            "--port" => {
                let port = value("--port")?;
                options.port = u16::try_from(port).map_err(|_| format!("--port {port}"))?;
            }
            "-h" | "--help" => {
                return Err("usage: echo_server [--clients N] [--round-trips M] [--half-close] \
                            [--port P]"
                    .into());
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

/// Serves until the load clients, if any, are done; returns whether every client saw its
/// echo.
pub(crate) fn run(options: &Options) -> io::Result<bool> {
    let listener = TcpListener::bind(("127.0.0.1", options.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let mut selector: Selector<DefaultBackend, usize> = Selector::new()?;
    selector.register(&listener, Interest::READABLE, LISTENER)?;
    println!("echo_server: {DEFAULT_BACKEND} backend, listening on {addr}");

    // The load generator, if asked for: it wakes the selector once every client is done.
    let done = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let load = if options.clients > 0 {
        let waker = selector.waker()?;
        let (done, failures) = (Arc::clone(&done), Arc::clone(&failures));
        let (clients, round_trips, half_close) =
            (options.clients, options.round_trips, options.half_close);
        Some(thread::spawn(move || {
            let start = Instant::now();
            let threads: Vec<_> = (0..clients)
                .map(|id| {
                    thread::spawn(move || {
                        if half_close {
                            half_closing_client(addr, id, round_trips)
                        } else {
                            client(addr, id, round_trips)
                        }
                    })
                })
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

    // The clients, indexed by their key's data; a closed client leaves a free slot.
    let mut clients: Vec<Option<Client>> = Vec::new();
    // Yours, not the selector's: the loop below registers, modifies and unregisters while it
    // walks the results.
    let mut ready = Ready::new();
    while !done.load(Ordering::Acquire) {
        selector.select(&mut ready, None)?;
        for event in &ready {
            let Some(&index) = selector.key_of(event).map(select::SelectorKey::data) else {
                continue;
            };
            if index == LISTENER {
                accept_all(&listener, &mut selector, &mut clients)?;
                continue;
            }
            let Some(client) = clients.get_mut(index).and_then(Option::as_mut) else { continue };
            if serve(client, event) {
                // Writing while the echo is not all out, reading otherwise; the same interest
                // again costs no system call.
                let interest =
                    if client.pending.is_empty() { Interest::READABLE } else { Interest::WRITABLE };
                selector.modify(&client.stream, interest, index)?;
            } else {
                selector.unregister(&client.stream)?;
                clients[index] = None; // closes the connection: the client reads its end
            }
        }
    }

    let Some(load) = load else { return Ok(true) };
    let elapsed = load.join().map_err(|_| io::Error::other("load thread panicked"))?;
    let total = options.clients * options.round_trips;
    #[allow(clippy::cast_precision_loss, reason = "a rate printed with 3 significant digits")]
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "echo_server: {} clients x {} exchanges = {total} in {:.3} s: {rate:.0} exchanges/s ({DEFAULT_BACKEND})",
        options.clients,
        options.round_trips,
        elapsed.as_secs_f64(),
    );
    Ok(failures.load(Ordering::Relaxed) == 0)
}

/// Accepts every pending connection and registers it for reading.
fn accept_all(
    listener: &TcpListener,
    selector: &mut Selector<DefaultBackend, usize>,
    clients: &mut Vec<Option<Client>>,
) -> io::Result<()> {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(true)?;
                stream.set_nodelay(true)?;
                let index = clients.iter().position(Option::is_none).unwrap_or(clients.len());
                selector.register(&stream, Interest::READABLE, index)?;
                let client = Some(Client { stream, pending: Vec::new(), eof: false });
                if index == clients.len() {
                    clients.push(client);
                } else {
                    clients[index] = client;
                }
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            // A client that gave up before it was accepted is not the server's problem.
            Err(error) if error.kind() == ErrorKind::ConnectionAborted => {}
            Err(error) => return Err(error),
        }
    }
}

/// Reads what the client sent and writes it back; returns whether the connection stays open.
///
/// The end of the client's stream can arrive in the same read round as its last data: the
/// data is still echoed, and the connection closes once the echo is out.
fn serve(client: &mut Client, event: &ReadyEvent) -> bool {
    if event.is_readable() && !client.eof {
        let mut buf = [0u8; 4096];
        loop {
            match client.stream.read(&mut buf) {
                Ok(0) => {
                    client.eof = true;
                    break;
                }
                Ok(n) => client.pending.extend_from_slice(&buf[..n]),
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
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
            Err(_) => return false,
        }
    }
    !(client.eof && client.pending.is_empty())
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

/// One half-closing load client: `exchanges` connections, each sending a message and shutting
/// down its sending side in one go, then reading the echo to the end and checking it.
fn half_closing_client(addr: SocketAddr, id: usize, exchanges: usize) -> io::Result<()> {
    for exchange in 0..exchanges {
        let mut stream = TcpStream::connect(addr)?;
        let message = format!("client {id} exchange {exchange}");
        stream.write_all(message.as_bytes())?;
        stream.shutdown(Shutdown::Write)?;
        let mut echo = Vec::new();
        stream.read_to_end(&mut echo)?;
        if echo != message.as_bytes() {
            return Err(io::Error::other(format!(
                "client {id}: exchange {exchange} echoed {} of {} bytes",
                echo.len(),
                message.len()
            )));
        }
    }
    Ok(())
}
