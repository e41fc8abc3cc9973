//! What several areas of the integration tests share: the builder every test launches the
//! binary with (`cli`, one environment policy), the sandbox (a copy of `examples/sandbox` and
//! the binary run against it with real terraform, checking no process is left behind), moto's
//! STS server, the fake terraform that records what each account's process saw, the one
//! scripted loopback HTTP stub (`receiver`) standing in for Slack, GitHub, STS's error answers,
//! a health URL or a release download, and a model of how the GitHub Actions runner reads a
//! step's output.

pub mod cli;
pub mod fake_terraform;
pub mod github_runner;
pub mod moto;
pub mod own_process;
pub mod receiver;
pub mod sandbox;
pub mod tls;
