//! Zero heap allocations per wait in steady state, for every backend of ours on the host.
//!
//! A counting `#[global_allocator]` (counting per thread, so the tests may run in parallel)
//! watches 1000 waits on a set of 100 registered descriptors, three of them ready, including
//! reading the events back out of the buffer.

use std::time::Duration;

use select::{Ready, Selector};
use select_benches::{CAPACITY, CountingAllocator, Pairs};
use select_core::{Backend, EventBuffer, Interest};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Waits 1000 times on `B` after a warm-up and returns the allocations those waits made.
fn allocations_per_1000_waits<B: Backend>() -> u64 {
    let pairs = Pairs::new(50).expect("socketpairs");
    let backend = B::new().expect("new backend");
    for fd in pairs.all() {
        backend.register(fd, Interest::READABLE).expect("register");
    }
    for i in [0, 17, 42] {
        rustix::io::write(pairs.writer(i), &[1]).expect("write");
    }
    let mut events = B::Events::with_capacity(CAPACITY);
    // The first waits may size internal tables; steady state starts after them.
    for _ in 0..3 {
        backend.wait(&mut events, Some(Duration::ZERO)).expect("wait");
    }
    let before = CountingAllocator::allocations();
    let mut seen = 0;
    for _ in 0..1000 {
        let n = backend.wait(&mut events, Some(Duration::ZERO)).expect("wait");
        assert_eq!(n, 3, "{}: three descriptors are readable", B::NAME);
        seen += events.iter().filter(|event| event.is_readable()).count();
    }
    let after = CountingAllocator::allocations();
    assert_eq!(seen, 3000, "{}: every event reads back as readable", B::NAME);
    after - before
}

/// Selects 1000 times through a `Selector` over `B` after a warm-up, reading every key back,
/// and returns the allocations those selects made.
fn allocations_per_1000_selects<B: Backend>() -> u64 {
    let pairs = Pairs::new(50).expect("socketpairs");
    let mut selector: Selector<B, usize> =
        Selector::with_backend_and_capacity(B::new().expect("new backend"), CAPACITY)
            .expect("selector");
    for (index, fd) in pairs.all().enumerate() {
        selector.register(fd, Interest::READABLE, index).expect("register");
    }
    for i in [0, 17, 42] {
        rustix::io::write(pairs.writer(i), &[1]).expect("write");
    }
    let mut ready = Ready::new();
    // The first select sizes the results list; steady state starts after it.
    for _ in 0..3 {
        selector.select(&mut ready, Some(Duration::ZERO)).expect("select");
    }
    let before = CountingAllocator::allocations();
    let mut seen = 0;
    for _ in 0..1000 {
        let n = selector.select(&mut ready, Some(Duration::ZERO)).expect("select");
        assert_eq!(n, 3, "{}: three descriptors are readable", B::NAME);
        for event in &ready {
            if event.is_readable() && selector.key_of(event).is_some() {
                seen += 1;
            }
        }
    }
    let after = CountingAllocator::allocations();
    assert_eq!(seen, 3000, "{}: every event reads back as a readable key", B::NAME);
    after - before
}

#[test]
fn no_allocation_per_selector_select() {
    let mut failures = Vec::new();
    macro_rules! check {
        ($backend:ty) => {
            let made = allocations_per_1000_selects::<$backend>();
            if made != 0 {
                failures.push(format!(
                    "{}: {made} allocations in 1000 Selector selects",
                    <$backend as Backend>::NAME
                ));
            }
        };
    }
    select::for_each_backend!(check);
    assert!(failures.is_empty(), "selects allocated: {failures:#?}");
}

#[test]
fn no_allocation_per_wait() {
    let mut failures = Vec::new();
    let mut checked = Vec::new();
    macro_rules! check {
        ($backend:ty) => {
            let made = allocations_per_1000_waits::<$backend>();
            checked.push(<$backend as Backend>::NAME);
            if made != 0 {
                failures.push(format!(
                    "{}: {made} allocations in 1000 waits",
                    <$backend as Backend>::NAME
                ));
            }
        };
    }
    select::for_each_backend!(check);
    assert!(!checked.is_empty(), "select::for_each_backend! listed no backend");
    assert!(failures.is_empty(), "waits allocated: {failures:?}");
}

#[test]
fn the_counter_sees_allocations() {
    // The test above can only fail if the allocator really counts.
    let before = CountingAllocator::allocations();
    let boxed = std::hint::black_box(Box::new([0_u8; 64]));
    let after = CountingAllocator::allocations();
    drop(boxed);
    assert!(after > before, "the counting allocator missed an allocation");
}
