//! The conformance suite every backend crate runs against itself (not published).
