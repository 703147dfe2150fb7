//! The `echo_server` example, run in-process with half-closing clients: data that arrives
//! together with the end of the stream must still be echoed.

#[allow(dead_code, reason = "the example's `main` and argument parsing are not used here")]
#[path = "../../examples/echo_server.rs"]
mod echo_server;

use crate::support;

#[test]
fn the_echo_server_echoes_data_sent_with_a_half_close() {
    let _fds = support::shared();
    // Each exchange writes its message and shuts down the client's sending side in one go, so
    // the server's read round often sees the data and the end of the stream together.
    let options = echo_server::Options { clients: 8, round_trips: 50, port: 0, half_close: true };
    assert!(echo_server::run(&options).expect("serve"), "a half-closing client lost its echo");
}

#[test]
fn the_echo_server_serves_round_trips() {
    let _fds = support::shared();
    let options = echo_server::Options { clients: 4, round_trips: 200, port: 0, half_close: false };
    assert!(echo_server::run(&options).expect("serve"), "a client saw a wrong echo");
}
