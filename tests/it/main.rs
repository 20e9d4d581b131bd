//! The integration tests, as one binary: each module was a test crate of its own, and each of
//! those linked the whole generated client again (time and, on CI, disk).

mod support;

mod conversions;
mod docs;
mod endpoint_integrity;
mod every_operation;
mod faults;
mod flows;
mod fuzz_decode;
mod lossless;
mod model_decoding;
mod outcome;
mod query_objects;
mod request_values;
mod schemas;
mod seed_operation;
mod streaming;
mod tracing_spans;
mod user_surface;
