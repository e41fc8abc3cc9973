//! What several areas of the integration tests share: the sandbox (a copy of
//! `examples/sandbox` and the built binary run against it with real terraform), moto's STS
//! server, the fake terraform that records what each account's process saw, and a loopback
//! HTTP server standing in for Slack and GitHub, and a model of how the GitHub Actions runner
//! reads a step's output.

pub mod cli;
pub mod fake_terraform;
pub mod github_runner;
pub mod moto;
pub mod own_process;
pub mod receiver;
pub mod sandbox;
