"""The crate's own tests of the module: CPython's behaviour where its test files do not look.

Each test asserts what CPython's module does (the runner runs this file against both modules
and requires the same outcomes), on real pipes, with generous time bounds and a watchdog on
every thread.
"""

import errno
import os
import select
import signal
import threading
import time
import unittest

HAS_EPOLL = hasattr(select, "epoll")


class Interrupt(Exception):
    """Raised by the test's signal handler."""


class Base(unittest.TestCase):
    def pipe(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        return r, w

    def in_thread(self, target, *args):
        """Starts `target` in a thread; returns the thread and a list that gets its result."""
        result = []
        thread = threading.Thread(target=lambda: result.append(target(*args)), daemon=True)
        thread.start()
        return thread, result

    def alarm(self, handler, interval=0.05):
        """SIGALRM every `interval` seconds to `handler`, until the test ends."""
        old = signal.signal(signal.SIGALRM, handler)
        self.addCleanup(signal.signal, signal.SIGALRM, old)
        signal.setitimer(signal.ITIMER_REAL, interval, interval)
        self.addCleanup(signal.setitimer, signal.ITIMER_REAL, 0, 0)


class Conversions(Base):
    def test_descriptor_messages(self):
        with self.assertRaisesRegex(TypeError, r"^argument must be an int, or have a fileno\(\) method\.$"):
            select.select([object()], [], [], 0)
        with self.assertRaisesRegex(ValueError, r"^file descriptor cannot be a negative integer \(-5\)$"):
            select.poll().register(-5)

        class Negative:
            def fileno(self):
                return -7

        with self.assertRaisesRegex(ValueError, r"\(-7\)"):
            select.select([Negative()], [], [], 0)

    def test_fileno_exception_propagates(self):
        class Broken:
            def fileno(self):
                raise RuntimeError("from fileno")

        with self.assertRaisesRegex(RuntimeError, "from fileno"):
            select.poll().register(Broken())

    def test_select_timeouts(self):
        with self.assertRaisesRegex(ValueError, "^timeout must be non-negative$"):
            select.select([], [], [], -1e-10)
        with self.assertRaisesRegex(TypeError, "^timeout must be a float or None$"):
            select.select([], [], [], "1")
        with self.assertRaisesRegex(ValueError, "NaN"):
            select.select([], [], [], float("nan"))
        with self.assertRaisesRegex(OverflowError, "^timestamp out of range for platform time_t$"):
            select.select([], [], [], float("inf"))
        with self.assertRaisesRegex(OverflowError, "^timestamp too large to convert to C _?PyTime_t$"):
            select.select([], [], [], 10**10)
        # -0.0 is zero, and the timeout is read before the lists.
        self.assertEqual(select.select([], [], [], -0.0), ([], [], []))
        with self.assertRaises(ValueError):
            select.select(1, 2, 3, -1)

    def test_select_limits(self):
        r, w = self.pipe()
        self.assertEqual(len(select.select([], [w] * 1024, [], 0)[1]), 1024)
        with self.assertRaisesRegex(ValueError, "^too many file descriptors in select\\(\\)$"):
            select.select([], [w] * 1025, [], 0)
        with self.assertRaisesRegex(ValueError, "^filedescriptor out of range in select\\(\\)$"):
            select.select([1024], [], [], 0)
        with self.assertRaisesRegex(TypeError, "^arguments 1-3 must be sequences$"):
            select.select(1, [], [])
        def failing():
            yield w
            raise RuntimeError("from the iterable")

        with self.assertRaisesRegex(RuntimeError, "from the iterable"):
            select.select(failing(), [], [], 0)
        # Any iterable; the objects themselves come back, duplicates kept.
        self.assertEqual(select.select([], iter([w, w]), [], 0), ([], [w, w], []))

    def test_poll_timeouts(self):
        p = select.poll()
        with self.assertRaisesRegex(OverflowError, "^timeout is too large$"):
            p.poll(2**31)
        with self.assertRaisesRegex(TypeError, "^timeout must be an integer or None$"):
            p.poll("1")
        # A fraction of a millisecond waits a whole one: nothing is ready, so it times out.
        self.assertEqual(p.poll(0.1), [])

    def test_poll_mask_rules(self):
        p = select.poll()
        with self.assertRaises(TypeError):
            p.register(0, 1.0)
        with self.assertRaisesRegex(ValueError, "^value must be positive$"):
            p.register(0, -1)
        with self.assertRaisesRegex(OverflowError, "unsigned short"):
            p.register(0, 65536)
        with self.assertRaises(FileNotFoundError):
            p.modify(0, select.POLLIN)
        with self.assertRaises(KeyError) as caught:
            p.unregister(4999)
        self.assertEqual(caught.exception.args, (4999,))

    def test_poll_order_and_reregister(self):
        r, w = self.pipe()
        w2 = os.dup(w)
        self.addCleanup(os.close, w2)
        p = select.poll()
        p.register(w2, select.POLLOUT)
        p.register(w, select.POLLOUT)
        p.register(w2, select.POLLOUT | select.POLLIN)  # keeps its place
        self.assertEqual([fd for fd, _ in p.poll(0)], [w2, w])
        p.unregister(w2)
        p.register(w2, select.POLLOUT)  # moves to the end
        self.assertEqual([fd for fd, _ in p.poll(0)], [w, w2])


@unittest.skipUnless(HAS_EPOLL, "needs select.epoll")
class Epoll(Base):
    def test_constants(self):
        self.assertEqual(select.EPOLLET, 2147483648)
        self.assertEqual(select.EPOLL_CLOEXEC, 0x80000)
        self.assertIs(select.error, OSError)

    def test_mask_is_taken_modulo_2_32(self):
        r, w = self.pipe()
        with select.epoll() as ep:
            ep.register(w, (1 << 32) | select.EPOLLOUT)
            self.assertEqual(ep.poll(0), [(w, select.EPOLLOUT)])
            with self.assertRaises(OSError) as caught:
                ep.modify(w, -1)  # 0xFFFFFFFF, which the kernel refuses
            self.assertEqual(caught.exception.errno, errno.EINVAL)

    def test_arguments(self):
        with self.assertRaisesRegex(ValueError, "^negative sizehint$"):
            select.epoll(0)
        with self.assertRaises(OSError) as caught:
            select.epoll(flags=1)
        self.assertIsNone(caught.exception.errno)
        with select.epoll() as ep:
            with self.assertRaisesRegex(ValueError, "^maxevents must be greater than 0, got 0$"):
                ep.poll(0, 0)
            with self.assertRaisesRegex(OverflowError, "^timeout is too large$"):
                ep.poll(2147483.648)
        # The closed check comes before the timeout and maxevents checks.
        with self.assertRaisesRegex(ValueError, "closed epoll object"):
            ep.poll(0, 0)

    def test_fromfd_minus_one_creates(self):
        ep = select.epoll.fromfd(-1)
        self.addCleanup(ep.close)
        self.assertFalse(ep.closed)
        self.assertFalse(os.get_inheritable(ep.fileno()))

    def test_fromfd_shares_the_instance(self):
        r, w = self.pipe()
        ep = select.epoll()
        ep2 = select.epoll.fromfd(os.dup(ep.fileno()))
        ep2.register(w, select.EPOLLOUT)
        self.assertEqual(ep.poll(0), [(w, select.EPOLLOUT)])
        ep.close()
        self.assertEqual(ep2.poll(0), [(w, select.EPOLLOUT)])
        ep2.close()
        ep2.close()  # idempotent

    def test_negative_submillisecond_timeout_returns_at_once(self):
        # CPython's quirk (its milliseconds round towards +inf): -0.0005 s is 0 ms.
        r, w = self.pipe()
        ep = select.epoll()
        self.addCleanup(ep.close)
        ep.register(r, select.EPOLLIN)
        thread, result = self.in_thread(ep.poll, -0.0005)
        thread.join(5)
        alive = thread.is_alive()
        os.write(w, b"x")  # ends the wait if it blocked
        thread.join(10)
        self.assertFalse(alive, "poll(-0.0005) blocked")
        self.assertEqual(result, [[]])

    def test_negative_timeout_blocks(self):
        r, w = self.pipe()
        ep = select.epoll()
        self.addCleanup(ep.close)
        ep.register(r, select.EPOLLIN)
        for timeout in (-1, -0.5, None):
            thread, result = self.in_thread(ep.poll, timeout)
            thread.join(0.2)
            self.assertTrue(thread.is_alive(), timeout)
            os.write(w, b"x")
            thread.join(10)
            self.assertFalse(thread.is_alive())
            self.assertEqual(result, [[(r, select.EPOLLIN)]])
            os.read(r, 1)

    def test_close_while_another_thread_waits(self):
        r, w = self.pipe()
        ep = select.epoll()
        ep.register(r, select.EPOLLIN)
        thread, result = self.in_thread(ep.poll, 1.0)
        time.sleep(0.2)
        ep.close()  # the GIL is free: close runs while the wait blocks
        self.assertTrue(ep.closed)
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual(result, [[]])


@unittest.skipUnless(hasattr(select, "kqueue"), "needs select.kqueue")
class KEvent(Base):
    def test_udata_compares_signed(self):
        big = select.kevent(1, udata=2**64 - 1)  # -1 as an intptr_t
        small = select.kevent(1, udata=1)
        self.assertLess(big, small)
        self.assertEqual(big.udata, 2**64 - 1)

    def test_comparisons_and_hashing(self):
        ev = select.kevent(1)
        self.assertFalse(ev == None)  # noqa: E711
        self.assertTrue(ev != 1)
        with self.assertRaises(TypeError):
            ev < 1
        with self.assertRaises(TypeError):
            hash(ev)

    def test_bitwise_fields_and_repr(self):
        ev = select.kevent(0, select.KQ_FILTER_READ, -1, -1, -1, 0)
        self.assertEqual(ev.flags, 0xFFFF)
        self.assertEqual(ev.fflags, 0xFFFFFFFF)
        self.assertIn("data=0xffffffffffffffff udata=0x0>", repr(ev))
        with self.assertRaises(OverflowError):
            select.kevent(0, data=2**63)

    def test_control_arguments(self):
        with select.kqueue() as kq:
            with self.assertRaisesRegex(ValueError, "^Length of eventlist must be 0 or positive, got -1$"):
                kq.control(None, -1)
            with self.assertRaisesRegex(ValueError, "^timeout must be positive or None$"):
                kq.control(None, 1, -1)
            with self.assertRaisesRegex(TypeError, "^timeout argument must be a number or None, got str$"):
                kq.control(None, 1, "1")
            with self.assertRaisesRegex(TypeError, "select.kevent objects"):
                kq.control([1], 0)
            r, w = self.pipe()
            kq.control([select.kevent(w, select.KQ_FILTER_WRITE)], 0)
            events = kq.control(None, 4, 10)
            self.assertEqual([(e.ident, e.filter) for e in events], [(w, select.KQ_FILTER_WRITE)])

    def test_fork_closes_in_the_child(self):
        kq = select.kqueue()
        self.addCleanup(kq.close)
        pid = os.fork()
        if pid == 0:
            os._exit(0 if kq.closed else 1)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertFalse(kq.closed)


@unittest.skipUnless(hasattr(select, "devpoll"), "needs select.devpoll")
class DevPoll(Base):
    def test_timeouts_and_object_model(self):
        dp = select.devpoll()
        self.addCleanup(dp.close)
        for bad in (-2, 2**31):
            with self.assertRaisesRegex(OverflowError, "^timeout is too large$"):
                dp.poll(bad)
        self.assertFalse(hasattr(dp, "__enter__"))
        with self.assertRaisesRegex(TypeError, "cannot create 'select.devpoll' instances"):
            type(dp)()
        r, w = self.pipe()
        dp.register(w, select.POLLOUT)
        self.assertEqual(dp.poll(0), [(w, select.POLLOUT)])
        dp.unregister(w)
        dp.unregister(w)  # unknown descriptors are ignored
        dp.close()
        self.assertTrue(dp.closed)
        with self.assertRaisesRegex(ValueError, "closed devpoll object"):
            dp.poll(0)


class Waits(Base):
    def test_gil_released_during_waits(self):
        r, w = self.pipe()
        p = select.poll()
        p.register(r, select.POLLIN)
        waits = [lambda: select.select([r], [], [], 10), lambda: p.poll(10000)]
        if HAS_EPOLL:
            ep = select.epoll()
            self.addCleanup(ep.close)
            ep.register(r, select.EPOLLIN)
            waits.append(lambda: ep.poll(10))
        for wait in waits:
            thread, result = self.in_thread(wait)
            # This thread runs (it holds the GIL) while the other one waits.
            counted = 0
            deadline = time.monotonic() + 0.3
            while time.monotonic() < deadline:
                counted += 1
            self.assertTrue(thread.is_alive())
            self.assertGreater(counted, 1000)
            os.write(w, b"x")
            thread.join(10)
            self.assertFalse(thread.is_alive())
            self.assertTrue(result and result[0], result)
            os.read(r, 1)

    def test_concurrent_poll_raises(self):
        r, w = self.pipe()
        p = select.poll()
        p.register(r, select.POLLIN)
        thread, result = self.in_thread(p.poll, 10000)
        time.sleep(0.2)
        with self.assertRaisesRegex(RuntimeError, r"^concurrent poll\(\) invocation$"):
            p.poll(0)
        p.register(w, select.POLLOUT)  # registering while the wait blocks is allowed
        os.write(w, b"x")
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual(result, [[(r, select.POLLIN)]])
        # The next poll sees the new registration, and the flag was cleared.
        self.assertEqual(sorted(p.poll(0)), sorted([(r, select.POLLIN), (w, select.POLLOUT)]))

    def waits(self):
        r, w = self.pipe()
        p = select.poll()
        p.register(r, select.POLLIN)
        waits = {"select": lambda t: select.select([r], [], [], t),
                 "poll": lambda t: p.poll(None if t is None else t * 1000)}
        if HAS_EPOLL:
            ep = select.epoll()
            self.addCleanup(ep.close)
            ep.register(r, select.EPOLLIN)
            waits["epoll"] = lambda t: ep.poll(t)
        self.writer = w
        return waits

    def test_handler_that_returns_lets_the_wait_finish(self):
        # PEP 475: the wait is retried with the time that remains, and ends on time.
        calls = []
        self.alarm(lambda *args: calls.append(1))
        for name, wait in self.waits().items():
            before = len(calls)
            started = time.monotonic()
            result = wait(0.3)
            elapsed = time.monotonic() - started
            self.assertIn(result, ([], ([], [], [])), name)
            self.assertGreaterEqual(elapsed, 0.3, name)
            self.assertLess(elapsed, 10, name)
            self.assertGreater(len(calls), before, name)

    def test_handler_that_raises_ends_the_wait(self):
        def handler(*args):
            raise Interrupt

        old = signal.signal(signal.SIGALRM, handler)
        self.addCleanup(signal.signal, signal.SIGALRM, old)
        self.addCleanup(signal.setitimer, signal.ITIMER_REAL, 0, 0)
        for name, wait in self.waits().items():
            for timeout in (None, 30):
                # The watchdog ends a wait that ignores the handler's exception; the exception
                # would then surface after it, too late for the time bound below.
                watchdog = threading.Timer(5, os.write, (self.writer, b"x"))
                watchdog.start()
                started = time.monotonic()
                with self.assertRaises(Interrupt, msg=name):
                    signal.setitimer(signal.ITIMER_REAL, 0.1)  # once, during the wait
                    wait(timeout)
                elapsed = time.monotonic() - started
                watchdog.cancel()
                watchdog.join()
                self.assertLess(elapsed, 4, f"{name} ignored the handler's exception")


if __name__ == "__main__":
    unittest.main()
