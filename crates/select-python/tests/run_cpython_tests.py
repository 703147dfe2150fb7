#!/usr/bin/env python3
"""Runs CPython's own, unmodified tests of `select` against this crate's module and CPython's.

Usage:
    run_cpython_tests.py --site DIR [--large] [--only ours|cpython]

DIR holds the built extension as `select.<EXT_SUFFIX>` (or `select.so`). For each module the
runner starts one child interpreter with DIR first on PYTHONPATH (ours) or without it
(CPython's). PYTHONPATH also reaches the interpreters the tests start themselves, such as the
`_test_eintr.py` child of `test_eintr`. The child checks that `select` is the module it should
be (ours has `select._select_rs` and lives in DIR; CPython's has neither), runs the test modules
from the interpreter's own `test` package, and reports every test's outcome.

The runner then compares: every test that passes with CPython's module must pass with ours, and
every test CPython's module skips must be skipped with ours too. It prints one closing line per
module (CPython's test files and the crate's own `test_select_rs.py` apart, then together),
`ours: N passed, N failed, N skipped`, `cpython: ...`, and ends with the line for ours alone,
`N passed, N failed, N skipped`; it exits non-zero if a test failed with ours, or the
comparison found a difference.

`--large` adds the second, larger client nobody here wrote: asyncio's selector event loop tests
and `test_subprocess`, both of which reach `select` through `selectors`.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import unittest

# CPython's tests of the module itself. `_test_eintr`'s select, poll and epoll class runs
# directly, in the child (a single-threaded process of its own); `test_eintr` runs the whole
# `_test_eintr.py` once more in a grandchild interpreter, which reaches ours through PYTHONPATH.
CORE = [
    "test.test_eintr",
    "test.test_select",
    "test.test_poll",
    "test.test_epoll",
    "test.test_kqueue",
    "test.test_devpoll",
    "test.test_selectors",
    "test._test_eintr.SelectEINTRTest",
]

# The crate's own tests (this directory), which assert CPython's behaviour where its test
# files do not look; they run against both modules too, and must agree.
OWN = ["test_select_rs"]
# Where the module differs from CPython on purpose: against ours only.
OURS_ONLY = ["test_select_rs_ours"]

LARGE = [
    "test.test_asyncio.test_selector_events",
    "test.test_asyncio.test_events",
    "test.test_asyncio.test_subprocess",
    "test.test_subprocess",
]

MISSING_TESTS = (
    "this interpreter has no `test` package (CPython's test suite); on Debian and Ubuntu "
    "install it with `apt-get install libpython3.11-testsuite` (for the python3.11 in use)"
)


class Recorder(unittest.TextTestResult):
    """Keeps each test's outcome by id, besides printing the usual dots."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {}

    def addSuccess(self, test):
        super().addSuccess(test)
        self.outcomes[test.id()] = "pass"

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.outcomes[test.id()] = "fail"

    def addError(self, test, err):
        super().addError(test, err)
        self.outcomes[test.id()] = "fail"

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.outcomes[test.id()] = "skip"

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.outcomes[test.id()] = "pass"

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.outcomes[test.id()] = "fail"

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.outcomes[test.id()] = "fail"


def child(which, site, names, report):
    """In the child interpreter: check the module, run the tests, write the outcomes."""
    try:
        import test.support  # noqa: F401
    except ImportError:
        sys.exit(f"error: {MISSING_TESTS}")
    import select

    ours = hasattr(select, "_select_rs")
    where = os.path.dirname(os.path.abspath(getattr(select, "__file__", "") or ""))
    if which == "ours" and not (ours and where == os.path.abspath(site)):
        sys.exit(f"error: `select` is {select!r}, not this crate's module from {site}")
    if which == "cpython" and ours:
        sys.exit(f"error: `select` is this crate's module ({select.__file__}), not CPython's")
    print(f"[{which}] select = {getattr(select, '__file__', select)}", file=sys.stderr)

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    outcomes = {}
    for name in names:
        try:
            suite.addTests(loader.loadTestsFromName(name))
        except unittest.SkipTest as skip:
            # A module that skips itself at import (test_kqueue, test_devpoll on Linux).
            print(f"[{which}] {name} skipped: {skip}", file=sys.stderr)
            outcomes[name] = "skip"
    if which == "ours":
        for name in OURS_ONLY:
            suite.addTests(loader.loadTestsFromName(name))
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=1, resultclass=Recorder)
    result = runner.run(suite)
    outcomes.update(result.outcomes)
    with open(report, "w") as out:
        json.dump(outcomes, out)


def run_child(which, site, names, work, timeout):
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if which == "ours":
        paths.insert(0, os.path.abspath(site))
    else:
        paths = [p for p in paths if os.path.abspath(p) != os.path.abspath(site)]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # One file per runner process, so two runs on one site (CI and a --large run) never mix.
    report = os.path.join(work, f"outcomes-{which}-{os.getpid()}.json")
    if os.path.exists(report):
        os.remove(report)
    command = [sys.executable, os.path.abspath(__file__), "--child", which, "--site", site,
               "--report", report, *names]
    started = time.monotonic()
    try:
        completed = subprocess.run(command, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"error: the {which} run did not finish within {timeout} s")
    elapsed = time.monotonic() - started
    if not os.path.exists(report):
        sys.exit(f"error: the {which} run exited with {completed.returncode} and no report")
    with open(report) as data:
        outcomes = json.load(data)
    os.remove(report)
    print(f"[{which}] finished in {elapsed:.1f} s", file=sys.stderr)
    return outcomes


def counts(outcomes):
    values = list(outcomes.values())
    return values.count("pass"), values.count("fail"), values.count("skip")


def line(outcomes):
    passed, failed, skipped = counts(outcomes)
    return f"{passed} passed, {failed} failed, {skipped} skipped"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", required=True, help="the directory holding select.<EXT>")
    parser.add_argument("--large", action="store_true", help="also run asyncio and subprocess")
    parser.add_argument("--only", choices=["ours", "cpython"], help="run one module alone")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per module run")
    parser.add_argument("--child", choices=["ours", "cpython"], help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    parser.add_argument("names", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child(args.child, args.site, args.names, args.report)
        return 0

    try:
        import test.support  # noqa: F401
    except ImportError:
        sys.exit(f"error: {MISSING_TESTS}")
    names = CORE + OWN + (LARGE if args.large else [])
    which = [args.only] if args.only else ["cpython", "ours"]
    results = {w: run_child(w, args.site, names, args.site, args.timeout) for w in which}

    problems = []
    if "cpython" in results and "ours" in results:
        theirs, ours = results["cpython"], results["ours"]
        for test_id, outcome in sorted(theirs.items()):
            mine = ours.get(test_id, "missing")
            if outcome == "pass" and mine != "pass":
                problems.append(f"passes with CPython's module, {mine} with ours: {test_id}")
            if outcome == "skip" and mine != "skip":
                problems.append(f"skipped with CPython's module, {mine} with ours: {test_id}")
        for test_id, outcome in sorted(ours.items()):
            if outcome == "skip" and theirs.get(test_id) != "skip":
                problems.append(f"skipped with ours only: {test_id}")
    if "ours" in results:
        problems += [f"fails with ours: {t}" for t, o in sorted(results["ours"].items())
                     if o == "fail" and f"with ours: {t}" not in " ".join(problems)]
    for problem in problems:
        print(problem)
    own = tuple(name + "." for name in OWN + OURS_ONLY)
    for w, outcomes in results.items():
        cpython_tests = {t: o for t, o in outcomes.items() if not t.startswith(own)}
        own_tests = {t: o for t, o in outcomes.items() if t.startswith(own)}
        print(f"{w}, the crate's own tests: {line(own_tests)}")
        print(f"{w}, CPython's test files: {line(cpython_tests)}")
    for w, outcomes in results.items():
        print(f"{w}: {line(outcomes)}")
    print(line(results.get("ours", results.get("cpython"))))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
