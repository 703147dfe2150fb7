//! The crate's tests: `sockets` runs on every platform (TCP and UDP on 127.0.0.1, through
//! std's socket types, which is all WinSock `select` takes), `unix` on Unix only (pipes,
//! socketpairs, signals, descriptor numbers), and the shared conformance suite.

mod conformance;
mod sockets;
#[cfg(unix)]
mod unix;

#[global_allocator]
static ALLOCATOR: crate::sys::CountingAllocator = crate::sys::CountingAllocator;

/// How many allocations the current thread has made so far.
fn allocations() -> usize {
    crate::sys::allocations()
}
