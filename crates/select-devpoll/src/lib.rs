//! /dev/poll backend (poll(7D)): illumos and Solaris.
#![cfg(any(target_os = "illumos", target_os = "solaris"))]
