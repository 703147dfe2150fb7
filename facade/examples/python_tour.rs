//! Python's `select` documentation, snippet by snippet, beside the Rust that does the same, run
//! for real on this target.
//!
//! ```text
//! cargo run -p select-io --example python_tour
//! ```
//!
//! Each section prints the Python code, the Rust code, and what the Rust code returned here.
//! Sections for mechanisms this target lacks say so instead (the `epoll_os` cfg comes from the
//! facade's `build.rs`, the one place operating systems are named).

use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use select::{
    Backend, DEFAULT_BACKEND, DefaultBackend, Error, Interest, PIPE_BUF, POLLIN, POLLOUT, POLLPRI,
    Poll, Ready, Selector,
};

/// Prints one section: its title, the Python snippet and the Rust translation.
fn section(title: &str, python: &str, rust: &str) {
    println!("\n=== {title}");
    println!("--- Python");
    for line in python.lines() {
        println!("    {line}");
    }
    println!("--- Rust");
    for line in rust.lines() {
        println!("    {line}");
    }
    println!("--- Result on this target");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("python_tour: the default backend here is {DEFAULT_BACKEND}");

    section(
        "select.select(rlist, wlist, xlist[, timeout])",
        "a, b = socket.socketpair()\nb.send(b'x')\nr, w, x = select.select([a], [a], [], 0)",
        "let (a, mut b) = UnixStream::pair()?;\nb.write_all(b\"x\")?;\nlet watched = [&a];\nlet (r, w, x) = select::select(&watched, &watched, &[] as &[&UnixStream], Some(Duration::ZERO))?;",
    );
    let (a, mut b) = UnixStream::pair()?;
    b.write_all(b"x")?;
    let none: &[&UnixStream] = &[];
    let watched = [&a];
    let (r, w, x) = select::select(&watched, &watched, none, Some(Duration::ZERO))?;
    println!("readable: {}, writable: {}, exceptional: {}", r.len(), w.len(), x.len());

    section(
        "select.select: a descriptor at or above FD_SETSIZE",
        "select.select([2000], [], [], 0)  # ValueError: filedescriptor out of range in select()",
        "Selector::<select::Select>::with_new_backend()?.register(&high_fd, Interest::READABLE, ())",
    );
    println!(
        "FD_SETSIZE is {}; a larger descriptor gives Error::FdOutOfRange, e.g.: {}",
        select::FD_SETSIZE,
        Error::FdOutOfRange { fd: 2000, limit: select::FD_SETSIZE }
    );

    section(
        "select.poll(): register, poll, modify, unregister",
        "p = select.poll()\np.register(a, select.POLLIN | select.POLLPRI | select.POLLOUT)\np.poll(0)\np.modify(a, select.POLLOUT)\np.unregister(a)\np.unregister(a)  # KeyError",
        "let p = Poll::new();\np.register(&a, POLLIN | POLLPRI | POLLOUT)?;\np.poll(Some(Duration::ZERO))?;\np.modify(&a, POLLOUT)?;\np.unregister(&a)?;\np.unregister(&a)  // Err(Error::NotRegistered { fd })",
    );
    let p = Poll::new();
    p.register(&a, POLLIN | POLLPRI | POLLOUT)?;
    println!("poll(0) -> {:?}", p.poll(Some(Duration::ZERO))?);
    p.modify(&a, POLLOUT)?;
    println!("after modify(POLLOUT): poll(0) -> {:?}", p.poll(Some(Duration::ZERO))?);
    p.unregister(&a)?;
    println!("second unregister -> {:?}", p.unregister(&a).map_err(|e| e.to_string()));

    section(
        "poll.modify of a descriptor never registered",
        "p.modify(b, select.POLLIN)  # FileNotFoundError: [Errno 2]",
        "p.modify(&b, POLLIN)  // Err(Error::Os(Errno::NOENT))",
    );
    println!("-> {:?}", p.modify(&b, POLLIN).map_err(|e| e.errno()));

    epoll_section(&a)?;

    section(
        "The target's native mechanism through the portable Backend trait",
        "ep = select.epoll()  # or select.kqueue(), select.devpoll(), whichever exists",
        "let backend = select::default_backend()?;\nBackend::register(&backend, a.as_fd(), Interest::READABLE)?;\nbackend.wait(&mut events, Some(Duration::ZERO))?",
    );
    let backend = select::default_backend()?;
    Backend::register(&backend, std::os::fd::AsFd::as_fd(&a), Interest::READABLE)?;
    let mut events = <<DefaultBackend as Backend>::Events as select::EventBuffer>::with_capacity(8);
    let n = Backend::wait(&backend, &mut events, Some(Duration::ZERO))?;
    let ready: Vec<_> = select::EventBuffer::iter(&events).collect();
    println!("{} reported {n} event(s): {ready:?}", DefaultBackend::NAME);

    section("select.PIPE_BUF", "select.PIPE_BUF", "select::PIPE_BUF");
    println!("{PIPE_BUF}");

    section(
        "selectors.DefaultSelector (the module the select docs recommend)",
        "sel = selectors.DefaultSelector()\nsel.register(a, selectors.EVENT_READ, data='a')\nfor key, events in sel.select(timeout=0):\n    print(key.data, events)\nsel.register(a, selectors.EVENT_READ)  # KeyError",
        "let mut sel: Selector<_, &str> = Selector::new()?;\nsel.register(&a, Interest::READABLE, \"a\")?;\nlet mut ready = Ready::new();\nsel.select(&mut ready, Some(Duration::ZERO))?;\nfor event in &ready {\n    let Some(key) = sel.key_of(event) else { continue };\n    println!(\"{} {:?}\", key.data(), event.events());\n}\nsel.register(&a, Interest::READABLE, \"again\")  // Err(Error::AlreadyRegistered { fd })",
    );
    let mut sel: Selector<DefaultBackend, &str> = Selector::new()?;
    sel.register(&a, Interest::READABLE, "a")?;
    let mut ready = Ready::new();
    sel.select(&mut ready, Some(Duration::ZERO))?;
    for event in &ready {
        let Some(key) = sel.key_of(event) else { continue };
        println!("{} {:?}", key.data(), event.events());
    }
    let again = sel.register(&a, Interest::READABLE, "again").map(|key| key.fd());
    println!("second register -> {:?}", again.map_err(|e| e.to_string()));
    println!("selector backend: {}, fd {} registered", sel.backend_name(), a.as_raw_fd());
    Ok(())
}

/// Python's epoll snippet, on the targets that have epoll.
#[cfg(epoll_os)]
fn epoll_section(a: &UnixStream) -> Result<(), Box<dyn std::error::Error>> {
    use select::{EPOLLIN, EPOLLOUT, Epoll, EpollEvents};
    section(
        "select.epoll(): register, poll(timeout, maxevents), close",
        "ep = select.epoll()\nep.register(a, select.EPOLLIN | select.EPOLLOUT)\nep.poll(0, 10)\nep.close()\nep.poll(0)  # ValueError: I/O operation on closed epoll object",
        "let mut ep = Epoll::new()?;\nep.register(&a, EPOLLIN | EPOLLOUT)?;\nlet mut events = EpollEvents::with_capacity(10);\nep.poll(&mut events, Some(Duration::ZERO))?;\nep.close()?;\nep.poll(&mut events, Some(Duration::ZERO))  // Err(Error::Closed { object: \"epoll\" })",
    );
    let mut ep = Epoll::new()?;
    ep.register(a, EPOLLIN | EPOLLOUT)?;
    let mut events = EpollEvents::with_capacity(10);
    ep.poll(&mut events, Some(Duration::ZERO))?;
    println!("poll -> {:?}", events.iter().collect::<Vec<_>>());
    ep.close()?;
    let closed = ep.poll(&mut events, Some(Duration::ZERO));
    println!("after close -> {:?}", closed.map_err(|e| e.to_string()));
    Ok(())
}

/// This target has no epoll: say so, as Python's `hasattr(select, "epoll")` would.
#[cfg(not(epoll_os))]
fn epoll_section(_: &UnixStream) -> Result<(), Box<dyn std::error::Error>> {
    section("select.epoll()", "hasattr(select, 'epoll')", "cfg(epoll_os) in select's build.rs");
    println!("False: this target has no epoll; see the Backend section below");
    Ok(())
}
