//! Tests of the epoll backend on real kernel objects.

mod conformance;
