//! Tests: the pure record logic (every host) and the real device (illumos and Solaris only).

#[cfg(devpoll)]
mod conformance;

/// The record logic of `conv.rs`, driven through fake devices. These run on every host.
mod records {
    use std::collections::{HashMap, HashSet, VecDeque};
    use std::os::fd::RawFd;

    use rustix::io::Errno;
    use select_core::{Error, Interest, Readiness};

    use crate::conv::{
        Changes, DEFAULT_BITS, POLLREMOVE_BITS, RECORD_SIZE, encode, interest_bits, readiness,
    };

    const IN: u16 = u16::from_ne_bytes(libc::POLLIN.to_ne_bytes());
    const PRI: u16 = u16::from_ne_bytes(libc::POLLPRI.to_ne_bytes());
    const OUT: u16 = u16::from_ne_bytes(libc::POLLOUT.to_ne_bytes());
    const REMOVE: u16 = POLLREMOVE_BITS;

    /// Splits encoded records back into `(fd, events)` pairs, checking `revents` is zero.
    fn decode(bytes: &[u8]) -> Vec<(RawFd, u16)> {
        assert_eq!(bytes.len() % RECORD_SIZE, 0, "a torn record: {bytes:?}");
        bytes
            .chunks_exact(RECORD_SIZE)
            .map(|record| {
                let fd = RawFd::from_ne_bytes(record[..4].try_into().unwrap());
                let events = u16::from_ne_bytes(record[4..6].try_into().unwrap());
                let revents = u16::from_ne_bytes(record[6..].try_into().unwrap());
                assert_eq!(revents, 0, "revents must be written as zero");
                (fd, events)
            })
            .collect()
    }

    /// A fake device: records every write and answers from a script (whole writes once the
    /// script is empty).
    #[derive(Default)]
    struct Device {
        writes: Vec<Vec<(RawFd, u16)>>,
        calls: usize,
        script: VecDeque<Result<usize, Errno>>,
    }

    impl Device {
        fn scripted(script: impl IntoIterator<Item = Result<usize, Errno>>) -> Device {
            Device { script: script.into_iter().collect(), ..Device::default() }
        }

        fn writer(&mut self) -> impl FnMut(&[u8]) -> Result<usize, Errno> + '_ {
            move |bytes| {
                self.calls += 1;
                let answer = self.script.pop_front().unwrap_or(Ok(bytes.len()));
                if let Ok(written) = answer {
                    self.writes.push(decode(&bytes[..written - written % RECORD_SIZE]));
                }
                answer
            }
        }
    }

    /// A writer that must not be called.
    fn no_write(bytes: &[u8]) -> Result<usize, Errno> {
        panic!("unexpected write of {:?}", decode(bytes));
    }

    #[test]
    fn record_layout_is_struct_pollfd() {
        let mut expected = Vec::new();
        expected.extend_from_slice(&7i32.to_ne_bytes());
        expected.extend_from_slice(&0x0005u16.to_ne_bytes());
        expected.extend_from_slice(&0u16.to_ne_bytes());
        assert_eq!(encode(7, 0x0005).as_slice(), expected.as_slice());
        assert_eq!(decode(&encode(-1, 0xffff)), [(-1, 0xffff)]);
    }

    #[test]
    fn default_mask_is_in_pri_out() {
        assert_eq!(DEFAULT_BITS, IN | PRI | OUT);
        assert_eq!(REMOVE, 0x0800);
    }

    /// The three records of one registration (`Changes::replace`).
    fn replaced(fd: RawFd, mask: u16) -> [(RawFd, u16); 3] {
        [(fd, 0), (fd, REMOVE), (fd, mask)]
    }

    /// The concatenation of record groups, for comparing with a batch.
    fn records<const N: usize>(groups: [&[(RawFd, u16)]; N]) -> Vec<(RawFd, u16)> {
        groups.concat()
    }

    #[test]
    fn register_appends_attach_remove_add_and_writes_nothing() {
        let mut changes = Changes::new(16);
        changes.register(5, IN, no_write).unwrap();
        changes.register(6, OUT | PRI, no_write).unwrap();
        assert_eq!(decode(changes.pending()), records([&replaced(5, IN), &replaced(6, OUT | PRI)]));
        assert!(changes.is_registered(5) && changes.is_registered(6));
        assert!(!changes.is_registered(7));
    }

    #[test]
    fn register_again_replaces_with_the_same_three_records() {
        let mut changes = Changes::new(16);
        changes.register(5, IN, no_write).unwrap();
        changes.register(5, OUT, no_write).unwrap();
        assert_eq!(decode(changes.pending()), records([&replaced(5, IN), &replaced(5, OUT)]));
    }

    #[test]
    fn register_with_pollremove_unregisters() {
        let mut changes = Changes::new(16);
        changes.register(5, IN, no_write).unwrap();
        changes.register(5, REMOVE, no_write).unwrap();
        assert!(!changes.is_registered(5));
        // Python appends the record whether or not the descriptor was registered.
        changes.register(9, REMOVE, no_write).unwrap();
        assert_eq!(
            decode(changes.pending()),
            records([&replaced(5, IN), &[(5, REMOVE), (9, REMOVE)]])
        );
    }

    #[test]
    fn modify_replaces_even_for_unknown_fds() {
        let mut changes = Changes::new(16);
        changes.modify(3, IN, no_write).unwrap();
        assert!(changes.is_registered(3));
        changes.modify(3, DEFAULT_BITS, no_write).unwrap();
        assert_eq!(
            decode(changes.pending()),
            records([&replaced(3, IN), &replaced(3, DEFAULT_BITS)])
        );
        changes.modify(3, REMOVE, no_write).unwrap();
        assert!(!changes.is_registered(3));
    }

    #[test]
    fn unregister_appends_remove_even_for_unknown_fds() {
        let mut changes = Changes::new(16);
        changes.register(4, IN, no_write).unwrap();
        assert!(changes.unregister(4, no_write).unwrap());
        assert!(!changes.is_registered(4));
        // As Python does: the device ignores a removal of a descriptor it does not poll, and
        // the object's set may be wrong about the device (after a dropped batch).
        assert!(!changes.unregister(4, no_write).unwrap());
        assert!(!changes.unregister(99, no_write).unwrap());
        assert_eq!(
            decode(changes.pending()),
            records([&replaced(4, IN), &[(4, REMOVE), (4, REMOVE), (99, REMOVE)]])
        );
    }

    #[test]
    fn a_dropped_removal_can_be_sent_again() {
        let mut device = Device::scripted([Ok(3 * RECORD_SIZE), Err(Errno::INVAL)]);
        let mut changes = Changes::new(8);
        changes.register(10, IN, no_write).unwrap();
        changes.flush(device.writer()).unwrap();
        assert_eq!(device.writes, [replaced(10, IN).to_vec()]);
        // The removal is dropped with its batch, so the device may still poll 10: the object
        // lists it again, and both unregistering paths send a new removal.
        assert!(changes.unregister(10, no_write).unwrap());
        changes.register(11, OUT, no_write).unwrap();
        let error = changes.flush(device.writer()).unwrap_err();
        assert!(matches!(error, Error::Os(Errno::INVAL)), "{error:?}");
        assert_eq!(changes.pending_records(), 0);
        assert!(changes.is_registered(10), "a descriptor whose removal was dropped");
        assert!(changes.is_registered(11), "a descriptor whose addition was dropped");
        assert!(changes.unregister(10, no_write).unwrap());
        assert!(!changes.is_registered(10));
        changes.flush(device.writer()).unwrap();
        assert_eq!(device.writes[1], [(10, REMOVE)]);
    }

    #[test]
    fn capacity_is_at_least_the_three_records_of_a_registration() {
        assert_eq!(Changes::new(0).capacity(), 3);
        assert_eq!(Changes::new(2).capacity(), 3);
        assert_eq!(Changes::new(4).capacity(), 4);
        let mut changes = Changes::new(1);
        changes.modify(1, IN, no_write).unwrap();
        assert_eq!(changes.pending_records(), 3);
    }

    #[test]
    fn a_full_buffer_is_written_in_one_write_before_the_next_record() {
        let mut device = Device::default();
        let mut changes = Changes::new(6);
        for fd in 0..2 {
            changes.register(fd, IN, device.writer()).unwrap();
        }
        assert_eq!(device.calls, 0, "six records fit in a buffer of six");
        changes.register(4, OUT, device.writer()).unwrap();
        assert_eq!(device.writes, [records([&replaced(0, IN), &replaced(1, IN)])]);
        assert_eq!(decode(changes.pending()), replaced(4, OUT));
    }

    #[test]
    fn an_operation_never_splits_its_records_across_writes() {
        let mut device = Device::default();
        let mut changes = Changes::new(5);
        for fd in 0..4 {
            changes.unregister(fd, device.writer()).unwrap();
        }
        // A registration needs three records and only one slot is left: the four removals
        // are written first.
        changes.modify(0, OUT, device.writer()).unwrap();
        assert_eq!(device.writes, [vec![(0, REMOVE), (1, REMOVE), (2, REMOVE), (3, REMOVE)]]);
        assert_eq!(decode(changes.pending()), replaced(0, OUT));
        changes.unregister(1, device.writer()).unwrap();
        changes.register(1, PRI, device.writer()).unwrap();
        assert_eq!(device.writes.len(), 2);
        assert_eq!(device.writes[1], records([&replaced(0, OUT), &[(1, REMOVE)]]));
        assert_eq!(decode(changes.pending()), replaced(1, PRI));
    }

    #[test]
    fn flush_with_nothing_pending_makes_no_call() {
        let mut changes = Changes::new(4);
        changes.flush(no_write).unwrap();
        let mut device = Device::default();
        changes.register(1, IN, device.writer()).unwrap();
        changes.flush(device.writer()).unwrap();
        changes.flush(device.writer()).unwrap();
        assert_eq!(device.calls, 1, "the second flush has nothing to write");
        assert_eq!(changes.pending_records(), 0);
    }

    #[test]
    fn flush_retries_eintr_with_the_same_records() {
        let mut device = Device::scripted([Err(Errno::INTR), Err(Errno::INTR)]);
        let mut changes = Changes::new(4);
        changes.register(1, IN, no_write).unwrap();
        changes.unregister(1, no_write).unwrap();
        changes.flush(device.writer()).unwrap();
        assert_eq!(device.calls, 3);
        assert_eq!(device.writes, [records([&replaced(1, IN), &[(1, REMOVE)]])]);
        assert_eq!(changes.pending_records(), 0);
    }

    #[test]
    fn a_short_write_keeps_the_records_not_written_and_says_how_much_was_written() {
        let mut device = Device::scripted([Ok(RECORD_SIZE)]);
        let mut changes = Changes::new(4);
        for fd in [10, 11, 12] {
            changes.unregister(fd, no_write).unwrap();
        }
        let error = changes.flush(device.writer()).unwrap_err();
        assert!(
            matches!(error, Error::ShortWrite { object: "devpoll", written, attempted: 24 } if written == RECORD_SIZE),
            "{error:?}"
        );
        assert_eq!(device.writes, [vec![(10, REMOVE)]]);
        assert_eq!(decode(changes.pending()), [(11, REMOVE), (12, REMOVE)]);
        // Nothing is lost: the next flush writes what is left.
        changes.flush(device.writer()).unwrap();
        assert_eq!(device.writes[1], [(11, REMOVE), (12, REMOVE)]);
    }

    #[test]
    fn a_torn_record_is_kept_whole() {
        let mut device = Device::scripted([Ok(RECORD_SIZE + 3)]);
        let mut changes = Changes::new(4);
        changes.register(10, IN, no_write).unwrap();
        assert!(matches!(
            changes.flush(device.writer()),
            Err(Error::ShortWrite { written: 11, .. })
        ));
        assert_eq!(decode(changes.pending()), [(10, REMOVE), (10, IN)]);
    }

    #[test]
    fn a_zero_length_write_is_an_error_not_a_loop() {
        let mut device = Device::scripted([Ok(0)]);
        let mut changes = Changes::new(4);
        changes.register(10, IN, no_write).unwrap();
        assert!(matches!(
            changes.flush(device.writer()),
            Err(Error::ShortWrite { written: 0, .. })
        ));
        assert_eq!(device.calls, 1);
        assert_eq!(decode(changes.pending()), replaced(10, IN));
    }

    #[test]
    fn a_write_error_drops_the_batch_and_is_returned() {
        let mut device = Device::scripted([Err(Errno::INVAL)]);
        let mut changes = Changes::new(4);
        changes.register(10, IN, no_write).unwrap();
        let error = changes.flush(device.writer()).unwrap_err();
        assert!(matches!(error, Error::Os(Errno::INVAL)), "{error:?}");
        assert_eq!(changes.pending_records(), 0);
        // The object still remembers the registration, so unregistering sends a record.
        assert!(changes.unregister(10, device.writer()).unwrap());
    }

    #[test]
    fn an_operation_whose_flush_fails_appends_nothing() {
        let mut device = Device::scripted([Err(Errno::ACCESS), Ok(RECORD_SIZE)]);
        let mut changes = Changes::new(3);
        changes.register(1, IN, no_write).unwrap();
        assert!(matches!(changes.register(3, IN, device.writer()), Err(Error::Os(Errno::ACCESS))));
        assert!(!changes.is_registered(3));
        assert_eq!(changes.pending_records(), 0);

        changes.register(4, IN, no_write).unwrap();
        // A short write while making room: the operation fails and appends nothing.
        assert!(matches!(
            changes.register(5, IN, device.writer()),
            Err(Error::ShortWrite { written: RECORD_SIZE, .. })
        ));
        assert!(!changes.is_registered(5));
        assert_eq!(decode(changes.pending()), [(4, REMOVE), (4, IN)]);
    }

    #[test]
    fn clear_forgets_records_and_registrations() {
        let mut changes = Changes::new(4);
        changes.register(1, IN, no_write).unwrap();
        changes.clear();
        assert_eq!(changes.pending_records(), 0);
        assert!(!changes.is_registered(1));
    }

    /// A deterministic pseudo-random generator (xorshift), so the model test needs no crate.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// One record of the driver's cache (illumos `polldat_t`): the mask (`pd_events`) and
    /// the open file attached to it (`pd_fp`), here the file's identity.
    #[derive(Copy, Clone, Debug, Default)]
    struct Cached {
        events: u16,
        file: Option<u64>,
    }

    /// The illumos driver's record semantics (`usr/src/uts/common/io/devpoll.c`, `dpwrite`
    /// and `dp_pcache_poll`, outside epoll mode), with the process's descriptor table.
    #[derive(Debug, Default)]
    struct Driver {
        /// The cache, one record per number, kept after `POLLREMOVE` (as the driver does).
        cache: HashMap<RawFd, Cached>,
        /// Which file each open number names.
        open: HashMap<RawFd, u64>,
        next_file: u64,
    }

    impl Driver {
        fn open(&mut self, fd: RawFd) {
            self.next_file += 1;
            self.open.insert(fd, self.next_file);
        }

        /// `close(fd)`: the driver is not told (`pollhead_clean` only unlinks the record from
        /// the file's poll head), so the cache keeps the record and its file pointer.
        fn close(&mut self, fd: RawFd) {
            self.open.remove(&fd);
        }

        /// `dpwrite` for each record, in order.
        fn write(&mut self, bytes: &[u8]) -> Result<usize, Errno> {
            for (fd, events) in decode(bytes) {
                let file = self.open.get(&fd).copied();
                if events == REMOVE {
                    // `if (pdp == NULL || pdp->pd_fp == NULL) continue;` then clear it.
                    if let Some(record) = self.cache.get_mut(&fd).filter(|r| r.file.is_some()) {
                        *record = Cached::default();
                    }
                    continue;
                }
                let record = self.cache.entry(fd).or_default();
                let Some(file) = file else {
                    // Not open: `pd_events |= events` and nothing attached.
                    record.events |= events;
                    continue;
                };
                if record.events == events && record.file == Some(file) {
                    continue;
                }
                record.file = Some(file);
                record.events |= events;
            }
            Ok(bytes.len())
        }

        /// The mask a wait polls the open descriptor `fd` for, or `None` if the driver's poll
        /// loop skips its record (`if (pdp->pd_fp == NULL) continue;`).
        fn polled(&self, fd: RawFd) -> Option<u16> {
            self.cache.get(&fd).filter(|record| record.file.is_some()).map(|r| r.events)
        }
    }

    /// The leak the issue describes, step by step: a record written while its number was
    /// closed keeps its mask through `POLLREMOVE`, and must not reach the next registration
    /// of the number.
    #[test]
    fn a_file_less_record_does_not_leak_into_a_reused_number() {
        let mut driver = Driver::default();
        let mut changes = Changes::new(16);
        driver.open(5);
        changes.register(5, IN, no_write).unwrap();
        // Closed before the next wait: the batch reaches the driver for a closed number.
        driver.close(5);
        changes.flush(|bytes: &[u8]| driver.write(bytes)).unwrap();
        assert_eq!(driver.cache[&5].events, IN, "the driver keeps a file-less record");
        assert_eq!(driver.polled(5), None);
        changes.unregister(5, no_write).unwrap();
        changes.flush(|bytes: &[u8]| driver.write(bytes)).unwrap();
        assert_eq!(driver.cache[&5].events, IN, "POLLREMOVE does nothing to it");
        // The number is reused and registered for writing only.
        driver.open(5);
        changes.register(5, OUT, no_write).unwrap();
        changes.flush(|bytes: &[u8]| driver.write(bytes)).unwrap();
        assert_eq!(driver.polled(5), Some(OUT), "the old POLLIN must not leak in");
    }

    /// Random sequences of register/modify/unregister, closing and reopening numbers, and
    /// waits (flushes), written through the real flush logic to the driver model, for many
    /// buffer sizes. After every flush, each open descriptor registered since it was opened
    /// is polled for exactly its last mask, and each open descriptor not registered since is
    /// not polled. (A number closed while registered is unspecified until it is registered
    /// or unregistered again, as the crate documents.)
    #[test]
    fn the_driver_polls_exactly_the_promised_masks() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..300 {
            let capacity = usize::try_from(rng.below(8)).unwrap();
            let mut changes = Changes::new(capacity);
            let mut driver = Driver::default();
            // What each open number must be polled for; numbers absent are not polled.
            let mut expected: HashMap<RawFd, u16> = HashMap::new();
            // Numbers closed while registered and not registered or unregistered since.
            let mut unspecified: HashSet<RawFd> = HashSet::new();
            for fd in 0..6 {
                driver.open(fd);
            }
            for step in 0..200 {
                let fd = RawFd::try_from(rng.below(6)).unwrap();
                let mask =
                    [IN, OUT, PRI, IN | OUT, DEFAULT_BITS][usize::try_from(rng.below(5)).unwrap()];
                let is_open = driver.open.contains_key(&fd);
                let write = |bytes: &[u8]| driver.write(bytes);
                match rng.below(6) {
                    0 | 1 if is_open => {
                        if rng.below(2) == 0 {
                            changes.register(fd, mask, write).unwrap();
                        } else {
                            changes.modify(fd, mask, write).unwrap();
                        }
                        expected.insert(fd, mask);
                        unspecified.remove(&fd);
                    }
                    2 => {
                        changes.unregister(fd, write).unwrap();
                        expected.remove(&fd);
                        unspecified.remove(&fd);
                    }
                    3 if is_open => {
                        driver.close(fd);
                        if expected.remove(&fd).is_some() || changes.is_registered(fd) {
                            unspecified.insert(fd);
                        }
                    }
                    3 => driver.open(fd),
                    _ => {
                        changes.flush(write).unwrap();
                        for &fd in driver.open.keys() {
                            if unspecified.contains(&fd) {
                                continue;
                            }
                            assert_eq!(
                                driver.polled(fd),
                                expected.get(&fd).copied(),
                                "round {round}, step {step}, capacity {capacity}, fd {fd}: \
                                 {driver:?}"
                            );
                        }
                    }
                }
                assert!(changes.pending_records() <= changes.capacity());
            }
        }
    }

    #[test]
    fn max_fds_is_the_soft_limit_capped_at_65536() {
        assert_eq!(crate::conv::max_fds(Some(256)), 256);
        assert_eq!(crate::conv::max_fds(Some(65_536)), 65_536);
        assert_eq!(crate::conv::max_fds(Some(65_537)), 65_536);
        assert_eq!(crate::conv::max_fds(Some(u64::MAX)), 65_536);
        assert_eq!(crate::conv::max_fds(None), 65_536, "unlimited counts as the cap");
        assert_eq!(crate::conv::max_fds(Some(0)), 0);
    }

    #[test]
    fn interest_maps_to_poll_bits() {
        assert_eq!(interest_bits(Interest::empty()), 0);
        assert_eq!(interest_bits(Interest::READABLE), IN);
        assert_eq!(interest_bits(Interest::WRITABLE), OUT);
        assert_eq!(interest_bits(Interest::PRIORITY), PRI);
        assert_eq!(interest_bits(Interest::PYTHON_DEFAULT), DEFAULT_BITS);
    }

    #[test]
    fn every_condition_round_trips_through_poll_bits() {
        for bits in 0..8u8 {
            let interest = Interest::from_bits_truncate(bits) & Interest::CONDITIONS;
            let back = readiness(interest_bits(interest));
            let mut expected = Readiness::empty();
            expected.set(Readiness::READABLE, interest.contains(Interest::READABLE));
            expected.set(Readiness::WRITABLE, interest.contains(Interest::WRITABLE));
            expected.set(Readiness::PRIORITY, interest.contains(Interest::PRIORITY));
            assert_eq!(back, expected, "{interest:?}");
        }
    }

    #[test]
    fn revents_map_to_readiness() {
        let cases = [
            (libc::POLLIN, Readiness::READABLE),
            (libc::POLLRDNORM, Readiness::READABLE),
            (libc::POLLRDBAND, Readiness::READABLE),
            (libc::POLLOUT, Readiness::WRITABLE),
            (libc::POLLWRNORM, Readiness::WRITABLE),
            (libc::POLLWRBAND, Readiness::WRITABLE),
            (libc::POLLPRI, Readiness::PRIORITY),
            (libc::POLLERR, Readiness::ERROR),
            (libc::POLLHUP, Readiness::HANGUP),
            (libc::POLLNVAL, Readiness::INVALID),
        ];
        for (flag, expected) in cases {
            assert_eq!(readiness(u16::from_ne_bytes(flag.to_ne_bytes())), expected, "{flag:#x}");
        }
        assert_eq!(readiness(0), Readiness::empty());
        assert_eq!(readiness(REMOVE), Readiness::empty());
        let hup_in = u16::from_ne_bytes((libc::POLLIN | libc::POLLHUP).to_ne_bytes());
        assert_eq!(readiness(hup_in), Readiness::READABLE | Readiness::HANGUP);
    }
}

/// The real device. Compiled for illumos and Solaris; run by the CI workflow's illumos job.
#[cfg(devpoll)]
mod device {
    use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
    use std::sync::Arc;
    use std::thread;
    use std::time::{Duration, Instant};

    use rustix::io::{Errno, FdFlags};
    use select_core::{Backend, Capabilities, Error, EventBuffer, Interest, Readiness};

    use crate::{DEFAULT_EVENTMASK, DevPoll, DevPollEvents, DevPollFlags, POLLREMOVE, sys};

    /// A generous bound for "returns eventually".
    const EVENTUALLY: Duration = Duration::from_secs(10);

    fn pipe() -> (OwnedFd, OwnedFd) {
        rustix::pipe::pipe().expect("pipe")
    }

    fn write_byte(fd: impl AsFd) {
        assert_eq!(rustix::io::write(fd, b"x").expect("write"), 1);
    }

    fn drain(fd: impl AsFd) {
        let mut buf = [0u8; 64];
        let read = rustix::io::read(fd, &mut buf).expect("read");
        assert!(read > 0);
    }

    /// The native results, sorted by descriptor.
    fn results(events: &DevPollEvents) -> Vec<(RawFd, DevPollFlags)> {
        let mut results: Vec<_> = events.native().collect();
        results.sort_by_key(|&(fd, _)| fd);
        results
    }

    fn is_closed_error(result: Result<impl std::fmt::Debug, Error>) -> bool {
        matches!(result, Err(Error::Closed { object: "devpoll" }))
    }

    #[test]
    fn descriptor_is_close_on_exec() {
        let devpoll = DevPoll::new().unwrap();
        let flags = rustix::io::fcntl_getfd(&devpoll).unwrap();
        assert!(flags.contains(FdFlags::CLOEXEC));
        assert_eq!(devpoll.fileno().unwrap(), devpoll.as_fd().as_raw_fd());
    }

    /// `max_fds` is `conv::max_fds` of the soft limit `DevPoll::new` read. The limit is read
    /// before and after creating the object and compared, so that a test raising the limit
    /// meanwhile (the conformance suite's `many_fds` does, in its own child process) makes
    /// the test try again instead of failing; `conv`'s unit tests check the cap itself.
    #[test]
    fn max_fds_is_the_capped_soft_descriptor_limit() {
        let soft = || rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
        for _ in 0..100 {
            let before = soft();
            let devpoll = DevPoll::new().unwrap();
            if soft() != before {
                continue;
            }
            assert_eq!(devpoll.max_fds(), crate::conv::max_fds(before));
            assert!(devpoll.max_fds() <= 65_536);
            assert_eq!(devpoll.events().capacity(), devpoll.max_fds());
            return;
        }
        panic!("RLIMIT_NOFILE changed during each of 100 attempts");
    }

    /// The driver keeps the mask of a record written while its number was closed, and its
    /// `POLLREMOVE` does nothing to such a record: a later descriptor with the number must
    /// still be polled for exactly its own mask. Numbers far above those other tests use are
    /// chosen with `F_DUPFD`, so the reuse does not race the parallel tests.
    #[test]
    fn a_mask_written_for_a_closed_number_does_not_leak_into_its_reuse() {
        let devpoll = DevPoll::new().unwrap();
        let (read, write) = pipe();
        let old = rustix::io::fcntl_dupfd_cloexec(&read, 1000).unwrap();
        let number = old.as_raw_fd();
        devpoll.register(&old, DevPollFlags::IN).unwrap();
        write_byte(&write);
        // Closed before the wait writes the record: the driver stores a file-less record.
        drop(old);
        let mut events = devpoll.events();
        devpoll.poll(&mut events, Some(Duration::ZERO)).unwrap();
        assert!(results(&events).iter().all(|&(fd, _)| fd != number), "{:?}", results(&events));
        devpoll.unregister_raw(number).unwrap();
        // The number is reused by a socket with data to read, registered for writing only.
        let (a, b) = rustix::net::socketpair(
            rustix::net::AddressFamily::UNIX,
            rustix::net::SocketType::STREAM,
            rustix::net::SocketFlags::CLOEXEC,
            None,
        )
        .unwrap();
        let new = rustix::io::fcntl_dupfd_cloexec(&a, number).unwrap();
        assert_eq!(new.as_raw_fd(), number, "the number is free again");
        write_byte(&b);
        devpoll.register(&new, DevPollFlags::OUT).unwrap();
        devpoll.poll(&mut events, Some(EVENTUALLY)).unwrap();
        assert_eq!(results(&events), [(number, DevPollFlags::OUT)], "the old POLLIN leaked");
        drop((read, write));
    }

    #[test]
    fn a_pipe_set_is_registered_written_and_read() {
        let devpoll = DevPoll::new().unwrap();
        let pipes: Vec<_> = (0..8).map(|_| pipe()).collect();
        for (read, _) in &pipes {
            devpoll.register(read, DevPollFlags::IN).unwrap();
        }
        let mut events = devpoll.events();
        assert_eq!(devpoll.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);

        for index in [1, 3, 6] {
            write_byte(&pipes[index].1);
        }
        assert_eq!(devpoll.poll(&mut events, Some(EVENTUALLY)).unwrap(), 3);
        let expected: Vec<_> =
            [1, 3, 6].iter().map(|&i| (pipes[i].0.as_raw_fd(), DevPollFlags::IN)).collect();
        assert_eq!(results(&events), expected);
        for event in events.iter() {
            assert!(event.readiness().contains(Readiness::READABLE));
        }

        // Level-triggered: still ready until read.
        assert_eq!(devpoll.poll(&mut events, Some(Duration::ZERO)).unwrap(), 3);
        for index in [1, 3, 6] {
            drain(&pipes[index].0);
        }
        assert_eq!(devpoll.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);

        // An unregistered descriptor is no longer reported; unknown ones are ignored.
        devpoll.unregister(&pipes[3].0).unwrap();
        devpoll.unregister(&pipes[3].0).unwrap();
        write_byte(&pipes[3].1);
        write_byte(&pipes[6].1);
        assert_eq!(devpoll.poll(&mut events, Some(EVENTUALLY)).unwrap(), 1);
        assert_eq!(results(&events), [(pipes[6].0.as_raw_fd(), DevPollFlags::IN)]);

        // modify to a condition that is not met silences it; modify back reports it.
        devpoll.modify(&pipes[6].0, Some(DevPollFlags::PRI)).unwrap();
        assert_eq!(devpoll.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);
        devpoll.modify(&pipes[6].0, None).unwrap();
        assert_eq!(devpoll.poll(&mut events, Some(EVENTUALLY)).unwrap(), 1);
        assert!(results(&events)[0].1.contains(DevPollFlags::IN));
    }

    #[test]
    fn writable_ends_are_reported_with_pollout() {
        let devpoll = DevPoll::new().unwrap();
        let (_read, write) = pipe();
        devpoll.register(&write, DEFAULT_EVENTMASK).unwrap();
        let mut events = devpoll.events();
        assert_eq!(devpoll.poll(&mut events, Some(EVENTUALLY)).unwrap(), 1);
        let (fd, revents) = events.native().next().unwrap();
        assert_eq!(fd, write.as_raw_fd());
        assert!(revents.contains(DevPollFlags::OUT));
        assert!(events.get(0).unwrap().is_writable());
    }

    #[test]
    fn registering_again_replaces_the_mask() {
        // The device alone would OR the two masks (IN | PRI) and report the readable pipe.
        let devpoll = DevPoll::new().unwrap();
        let (read, write) = pipe();
        write_byte(&write);
        devpoll.register(&read, DevPollFlags::IN).unwrap();
        devpoll.register(&read, DevPollFlags::PRI).unwrap();
        let mut events = devpoll.events();
        assert_eq!(devpoll.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);
        devpoll.register(&read, DevPollFlags::IN).unwrap();
        assert_eq!(devpoll.poll(&mut events, Some(EVENTUALLY)).unwrap(), 1);
    }

    #[test]
    fn register_with_pollremove_unregisters() {
        let devpoll = DevPoll::new().unwrap();
        let (read, write) = pipe();
        write_byte(&write);
        devpoll.register(&read, DevPollFlags::IN).unwrap();
        devpoll.register(&read, POLLREMOVE).unwrap();
        let mut events = devpoll.events();
        assert_eq!(devpoll.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);
    }

    #[test]
    fn a_small_buffer_reports_at_most_its_capacity() {
        let devpoll = DevPoll::new().unwrap();
        let pipes: Vec<_> = (0..4).map(|_| pipe()).collect();
        for (read, write) in &pipes {
            devpoll.register(read, DevPollFlags::IN).unwrap();
            write_byte(write);
        }
        let mut events = DevPollEvents::with_capacity(2);
        assert_eq!(devpoll.poll(&mut events, Some(EVENTUALLY)).unwrap(), 2);
        assert_eq!(events.len(), 2);
        let mut empty = DevPollEvents::with_capacity(0);
        assert!(matches!(
            devpoll.poll(&mut empty, Some(Duration::ZERO)),
            Err(Error::InvalidArgument { value: 0, .. })
        ));
    }

    #[test]
    fn a_timeout_is_waited_in_full() {
        let devpoll = DevPoll::new().unwrap();
        let (read, _write) = pipe();
        devpoll.register(&read, DevPollFlags::IN).unwrap();
        let mut events = devpoll.events();
        for timeout in
            [Duration::from_nanos(1), Duration::from_millis(1), Duration::from_millis(120)]
        {
            let start = Instant::now();
            assert_eq!(devpoll.poll(&mut events, Some(timeout)).unwrap(), 0);
            let elapsed = start.elapsed();
            assert!(elapsed >= timeout, "{timeout:?} returned after {elapsed:?}");
            assert!(elapsed < timeout + EVENTUALLY, "{timeout:?} returned after {elapsed:?}");
        }
        // An empty set still sleeps for the timeout.
        let empty = DevPoll::new().unwrap();
        let start = Instant::now();
        assert_eq!(empty.poll(&mut events, Some(Duration::from_millis(50))).unwrap(), 0);
        assert!(start.elapsed() >= Duration::from_millis(50));
    }

    #[test]
    fn none_blocks_until_an_event() {
        let devpoll = Arc::new(DevPoll::new().unwrap());
        let (read, write) = pipe();
        devpoll.register(&read, DevPollFlags::IN).unwrap();
        let waiter = {
            let devpoll = Arc::clone(&devpoll);
            thread::spawn(move || {
                let mut events = devpoll.events();
                devpoll.poll(&mut events, None).map(|n| (n, results(&events)))
            })
        };
        thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "a wait with no timeout returned with nothing ready");
        write_byte(&write);
        let (ready, results) = waiter.join().unwrap().unwrap();
        assert_eq!(ready, 1);
        assert_eq!(results, [(read.as_raw_fd(), DevPollFlags::IN)]);
    }

    #[test]
    fn concurrent_waits_each_get_the_event() {
        assert!(DevPoll::CAPABILITIES.contains(Capabilities::CONCURRENT_WAITS));
        let devpoll = DevPoll::new().unwrap();
        let (read, write) = pipe();
        devpoll.register(&read, DevPollFlags::IN).unwrap();
        thread::scope(|scope| {
            let waiters: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        let mut events = DevPollEvents::with_capacity(4);
                        devpoll.poll(&mut events, Some(EVENTUALLY)).unwrap()
                    })
                })
                .collect();
            thread::sleep(Duration::from_millis(50));
            write_byte(&write);
            for waiter in waiters {
                assert_eq!(waiter.join().unwrap(), 1);
            }
        });
    }

    #[test]
    fn eintr_is_retried_with_the_remaining_time() {
        sys::signal::install_handler();
        let devpoll = Arc::new(DevPoll::new().unwrap());
        let (read, write) = pipe();
        devpoll.register(&read, DevPollFlags::IN).unwrap();

        // A finite wait, interrupted every 20 ms, still waits its whole timeout and reports
        // nothing.
        let timeout = Duration::from_millis(300);
        let waiter = {
            let devpoll = Arc::clone(&devpoll);
            thread::spawn(move || {
                let mut events = devpoll.events();
                let start = Instant::now();
                devpoll.poll(&mut events, Some(timeout)).map(|n| (n, start.elapsed()))
            })
        };
        let mut signals = 0;
        while !waiter.is_finished() {
            sys::signal::interrupt(std::os::unix::thread::JoinHandleExt::as_pthread_t(&waiter));
            signals += 1;
            thread::sleep(Duration::from_millis(20));
        }
        let (ready, elapsed) = waiter.join().unwrap().unwrap();
        assert_eq!(ready, 0);
        assert!(elapsed >= timeout, "returned after {elapsed:?}");
        assert!(signals > 1);

        // A blocking wait, interrupted, keeps waiting until the event.
        let waiter = {
            let devpoll = Arc::clone(&devpoll);
            thread::spawn(move || {
                let mut events = devpoll.events();
                devpoll.poll(&mut events, None)
            })
        };
        for _ in 0..5 {
            sys::signal::interrupt(std::os::unix::thread::JoinHandleExt::as_pthread_t(&waiter));
            thread::sleep(Duration::from_millis(20));
        }
        assert!(!waiter.is_finished(), "EINTR ended a blocking wait");
        write_byte(&write);
        assert_eq!(waiter.join().unwrap().unwrap(), 1);
    }

    #[test]
    fn a_closed_object_fails_every_operation() {
        let mut devpoll = DevPoll::new().unwrap();
        let (read, _write) = pipe();
        devpoll.register(&read, DevPollFlags::IN).unwrap();
        assert!(!devpoll.is_closed());
        devpoll.close().unwrap();
        assert!(devpoll.is_closed());
        devpoll.close().unwrap();

        let mut events = DevPollEvents::with_capacity(4);
        assert!(is_closed_error(devpoll.register(&read, DevPollFlags::IN)));
        assert!(is_closed_error(devpoll.modify(&read, None)));
        assert!(is_closed_error(devpoll.unregister(&read)));
        assert!(is_closed_error(devpoll.unregister_raw(read.as_raw_fd())));
        assert!(is_closed_error(devpoll.poll(&mut events, Some(Duration::ZERO))));
        assert!(is_closed_error(devpoll.fileno()));
        assert!(is_closed_error(Backend::register(&devpoll, read.as_fd(), Interest::READABLE)));
        assert!(is_closed_error(Backend::modify(&devpoll, read.as_fd(), Interest::READABLE)));
        assert!(is_closed_error(Backend::unregister(&devpoll, read.as_fd())));
        assert!(is_closed_error(Backend::wait(&devpoll, &mut events, Some(Duration::ZERO))));
        // The closed check comes before any argument check.
        assert!(is_closed_error(devpoll.unregister_raw(-1)));
        assert!(is_closed_error(Backend::register(&devpoll, read.as_fd(), Interest::EXCLUSIVE)));
        assert!(is_closed_error(Backend::modify(&devpoll, read.as_fd(), Interest::EXCLUSIVE)));
        let mut no_room = DevPollEvents::with_capacity(0);
        assert!(is_closed_error(Backend::wait(&devpoll, &mut no_room, Some(Duration::ZERO))));
        assert!(Backend::close(&mut devpoll).is_ok());
        assert!(Backend::is_closed(&devpoll));
    }

    #[test]
    fn backend_methods_follow_the_contract() {
        let devpoll = <DevPoll as Backend>::new().unwrap();
        let (read, write) = pipe();
        let fd = read.as_fd();
        assert!(matches!(
            Backend::modify(&devpoll, fd, Interest::READABLE),
            Err(Error::Os(Errno::NOENT))
        ));
        assert!(matches!(
            Backend::unregister(&devpoll, fd),
            Err(Error::NotRegistered { fd: n }) if n == read.as_raw_fd()
        ));
        assert!(matches!(
            Backend::register(&devpoll, fd, Interest::READABLE | Interest::EDGE),
            Err(Error::Unsupported { .. })
        ));
        Backend::register(&devpoll, fd, Interest::READABLE).unwrap();
        Backend::register(&devpoll, fd, Interest::READABLE).unwrap();
        write_byte(&write);
        let mut events = DevPollEvents::with_capacity(4);
        assert_eq!(Backend::wait(&devpoll, &mut events, Some(EVENTUALLY)).unwrap(), 1);
        let event = events.iter().next().unwrap();
        assert_eq!(event.fd(), read.as_raw_fd());
        assert!(event.is_readable());
        Backend::modify(&devpoll, fd, Interest::WRITABLE).unwrap();
        Backend::unregister(&devpoll, fd).unwrap();
        assert_eq!(Backend::wait(&devpoll, &mut events, Some(Duration::ZERO)).unwrap(), 0);
    }

    #[test]
    fn unregister_raw_rejects_negative_descriptors() {
        let devpoll = DevPoll::new().unwrap();
        assert!(matches!(
            devpoll.unregister_raw(-1),
            Err(Error::InvalidArgument { name: "fd", value: -1, .. })
        ));
        // A number that names nothing: the removal is appended anyway (as Python does) and
        // the device ignores it when the batch is written.
        devpoll.unregister_raw(12345).unwrap();
        let mut events = devpoll.events();
        assert_eq!(devpoll.poll(&mut events, Some(Duration::ZERO)).unwrap(), 0);
    }

    #[test]
    fn dropping_closes_the_descriptor() {
        // If each object leaked its descriptor, this would run out of the soft limit.
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        let rounds = limit.current.map_or(5000, |n| n.saturating_add(16).min(5000));
        for _ in 0..rounds {
            let devpoll = DevPoll::new().unwrap();
            drop(devpoll);
        }
    }
}
