//! W7 thundering herd (docs/ARCHITECTURE.md, `benches/`): wake-ups per connection with and
//! without `EPOLLEXCLUSIVE`, through select-epoll's native API.
//!
//! `herd <connections> <out.tsv>`: one non-blocking listening TCP socket on 127.0.0.1;
//! eight threads, each blocked in its own `Epoll` in which the listener is registered
//! for reading (level-triggered), first without and then with `EPOLLEXCLUSIVE`. A client opens
//! the connections one at a time, each once the previous one has been accepted. Every wait
//! that returns with the listener ready is a wake-up; the woken thread tries a non-blocking
//! `accept`, which either takes the connection or fails with `EAGAIN` (another thread was
//! first).
//!
//! Without `EPOLLEXCLUSIVE` the kernel wakes every thread for each connection, but a thread
//! that finds the connection already taken when its `epoll_wait` re-checks the listener goes
//! back to sleep inside the call, so few of those wake-ups reach user space. They are counted
//! as what they cost: the voluntary context switches of the waiting threads (Linux's
//! `/proc/thread-self/status`), less the waits that ended by their timeout. Writes one line
//! per mode: `mode \t connections \t threads \t returned waits \t EAGAIN \t threads woken`.
//!
//! Wake-up counts are not timing: the machine's load changes how the threads interleave, not
//! which of them the kernel wakes, so this runs on a busy machine too.

use std::process::ExitCode;

#[cfg(epoll_os)]
mod herd {
    use std::io::ErrorKind;
    use std::net::{TcpListener, TcpStream};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use select_epoll::{Epoll, EpollEvents, EpollFlags};

    /// How many threads wait on the listener.
    pub(crate) const THREADS: usize = 8;

    /// How long a waiting thread sleeps before it looks at the stop flag again.
    const WAIT_SLICE: Duration = Duration::from_millis(50);

    /// The longest a single connection may take to be accepted before the run gives up.
    const ACCEPT_DEADLINE: Duration = Duration::from_secs(10);

    /// What one run counted.
    #[derive(Debug, Default)]
    pub(crate) struct Counts {
        /// Waits that returned with the listener ready.
        pub(crate) wakeups: u64,
        /// Accepts that failed with `EAGAIN`.
        pub(crate) eagain: u64,
        /// Times a waiting thread was woken, in the kernel or back to user space.
        pub(crate) woken: u64,
    }

    /// The counters the threads share.
    #[derive(Debug, Default)]
    struct Shared {
        stop: AtomicBool,
        accepted: AtomicU64,
        wakeups: AtomicU64,
        eagain: AtomicU64,
        woken: AtomicU64,
    }

    /// The calling thread's voluntary context switches so far: each is one sleep that ended.
    fn sleeps_ended() -> Result<u64, String> {
        let status = std::fs::read_to_string("/proc/thread-self/status")
            .map_err(|e| format!("read /proc/thread-self/status: {e}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|count| count.trim().parse().ok())
            .ok_or_else(|| "no voluntary_ctxt_switches in /proc/thread-self/status".to_owned())
    }

    /// One waiting thread: its own epoll, the listener registered with `mask`.
    fn waiter(listener: &TcpListener, mask: EpollFlags, shared: &Shared) -> Result<(), String> {
        let epoll = Epoll::new().map_err(|e| format!("epoll_create1: {e}"))?;
        epoll.register(listener, mask).map_err(|e| format!("register {mask:?}: {e}"))?;
        let mut events = EpollEvents::with_capacity(4);
        let (before, mut timeouts) = (sleeps_ended()?, 0);
        while !shared.stop.load(Ordering::Acquire) {
            let n = epoll.poll(&mut events, Some(WAIT_SLICE)).map_err(|e| format!("wait: {e}"))?;
            if n == 0 {
                timeouts += 1;
                continue;
            }
            shared.wakeups.fetch_add(1, Ordering::Relaxed);
            match listener.accept() {
                // The connection is closed as soon as it is taken: only the wake-ups matter.
                Ok(_) => {
                    shared.accepted.fetch_add(1, Ordering::Release);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    shared.eagain.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => return Err(format!("accept: {e}")),
            }
        }
        let woken = (sleeps_ended()? - before).saturating_sub(timeouts);
        shared.woken.fetch_add(woken, Ordering::Relaxed);
        Ok(())
    }

    /// Opens `connections` connections one at a time against [`THREADS`] threads waiting with
    /// `mask` and returns what they counted.
    pub(crate) fn run(connections: u64, mask: EpollFlags) -> Result<Counts, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
        listener.set_nonblocking(true).map_err(|e| format!("set_nonblocking: {e}"))?;
        let address = listener.local_addr().map_err(|e| format!("local_addr: {e}"))?;
        let listener = Arc::new(listener);
        let shared = Arc::new(Shared::default());
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let (listener, shared) = (Arc::clone(&listener), Arc::clone(&shared));
                std::thread::spawn(move || waiter(&listener, mask, &shared))
            })
            .collect();
        // Let every thread reach its first wait before the first connection.
        std::thread::sleep(Duration::from_millis(100));
        let mut failure = Ok(());
        for i in 1..=connections {
            let client = TcpStream::connect(address);
            if let Err(e) = client {
                failure = Err(format!("connect: {e}"));
                break;
            }
            let started = Instant::now();
            while shared.accepted.load(Ordering::Acquire) < i {
                if started.elapsed() > ACCEPT_DEADLINE {
                    failure = Err(format!("connection {i} was not accepted within 10 s"));
                    break;
                }
                std::thread::yield_now();
            }
            if failure.is_err() {
                break;
            }
        }
        shared.stop.store(true, Ordering::Release);
        for thread in threads {
            match thread.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failure = failure.and(Err(e)),
                Err(_) => failure = failure.and(Err("a waiting thread panicked".to_owned())),
            }
        }
        failure?;
        Ok(Counts {
            wakeups: shared.wakeups.load(Ordering::Relaxed),
            eagain: shared.eagain.load(Ordering::Relaxed),
            woken: shared.woken.load(Ordering::Relaxed),
        })
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [connections, out] = args.as_slice() else {
        eprintln!("usage: herd <connections> <out.tsv>");
        return ExitCode::from(2);
    };
    let Ok(connections) = connections.parse::<u64>() else {
        eprintln!("herd: {connections:?} is not a number of connections");
        return ExitCode::from(2);
    };
    run(connections, out)
}

#[cfg(epoll_os)]
fn run(connections: u64, out: &str) -> ExitCode {
    use select_epoll::EpollFlags;
    let mut text = String::new();
    for (mode, mask) in [
        ("level-triggered", EpollFlags::IN),
        ("EPOLLEXCLUSIVE", EpollFlags::IN | EpollFlags::EXCLUSIVE),
    ] {
        match herd::run(connections, mask) {
            Ok(counts) => {
                println!(
                    "W7 {mode}: {connections} connections, {} waits returned ready, {} EAGAIN, \
                     threads woken {} times",
                    counts.wakeups, counts.eagain, counts.woken
                );
                text.push_str(&format!(
                    "{mode}\t{connections}\t{}\t{}\t{}\t{}\n",
                    herd::THREADS,
                    counts.wakeups,
                    counts.eagain,
                    counts.woken
                ));
            }
            Err(message) => {
                eprintln!("herd {mode}: {message}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Err(e) = std::fs::write(out, text) {
        eprintln!("herd: write {out}: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(not(epoll_os))]
fn run(_: u64, out: &str) -> ExitCode {
    println!("W7 needs epoll: this host has none, so {out} is not written");
    ExitCode::SUCCESS
}
