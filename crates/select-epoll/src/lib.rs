//! epoll(7) backend: Linux and Android.
#![cfg(any(target_os = "linux", target_os = "android"))]
