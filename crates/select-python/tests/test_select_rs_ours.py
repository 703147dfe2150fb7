"""The crate's own tests of where the module differs from CPython on purpose (see the README's
table); the runner runs them against this crate's module only."""

import errno
import os
import select
import subprocess
import sys
import threading
import time
import unittest


class Ours(unittest.TestCase):
    def test_marker(self):
        self.assertIsInstance(select._select_rs, str)

    def test_child_interpreters_import_this_module(self):
        # How test_eintr's _test_eintr.py child, subprocess and multiprocessing get it.
        code = "import select; print(select._select_rs)"
        output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, timeout=60).stdout
        self.assertEqual(output.strip(), select._select_rs)

    @unittest.skipUnless(hasattr(select, "epoll"), "needs select.epoll")
    def test_fromfd_below_minus_one_is_ebadf(self):
        with self.assertRaises(OSError) as caught:
            select.epoll.fromfd(-2)
        self.assertEqual(caught.exception.errno, errno.EBADF)

    @unittest.skipUnless(hasattr(select, "epoll"), "needs select.epoll")
    def test_epollwakeup_is_exported(self):
        self.assertEqual(select.EPOLLWAKEUP, 1 << 29)

    @unittest.skipUnless(hasattr(select, "epoll"), "needs select.epoll")
    def test_close_during_a_wait_closes_the_descriptor_when_the_wait_returns(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        ep = select.epoll()
        number = ep.fileno()
        ep.register(r, select.EPOLLIN)
        result = []
        thread = threading.Thread(target=lambda: result.append(ep.poll(1.0)), daemon=True)
        thread.start()
        time.sleep(0.2)
        ep.close()
        self.assertTrue(ep.closed)
        with self.assertRaisesRegex(ValueError, "closed epoll object"):
            ep.fileno()
        os.fstat(number)  # still open: the wait holds it
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual(result, [[]])
        with self.assertRaises(OSError) as caught:
            os.fstat(number)
        self.assertEqual(caught.exception.errno, errno.EBADF)


if __name__ == "__main__":
    unittest.main()
