//! On a terminal: one bar per wave and one line per running job (account, layer, step,
//! elapsed); finished jobs are printed above the bars, so nothing tears. indicatif draws on
//! the terminal itself, so every name and message is neutralised here (no escape sequence
//! from a config value or terraform's error text reaches the terminal).

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::describe;
use super::destroys::{self, PlannedDestroys};
use super::reporter::Reporter;
use crate::events::Event;
use crate::github_actions::neutralise;
use crate::report::{HealthOutcome, Status};

pub struct Bars {
    multi: MultiProgress,
    waves: HashMap<String, ProgressBar>,
    jobs: HashMap<String, ProgressBar>,
    account_width: usize,
    destroys: PlannedDestroys,
}

impl Bars {
    pub fn new() -> Self {
        // Only on a terminal outside CI (`Style`): what a bar shows is neutralised here, and
        // everything else written meanwhile goes above the bars through `console`.
        #[allow(clippy::disallowed_methods)]
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        crate::console::set_live_bars(Some(multi.clone()));
        Self {
            multi,
            waves: HashMap::new(),
            jobs: HashMap::new(),
            account_width: 20,
            destroys: PlannedDestroys::default(),
        }
    }

    fn wave_style(width: usize) -> ProgressStyle {
        ProgressStyle::with_template(&format!(
            "{{prefix:<{width}.bold}} [{{bar:30.cyan/blue}}] {{pos}}/{{len}} jobs  {{msg}}"
        ))
        .expect("a valid template")
        .progress_chars("=> ")
    }

    fn job_style(width: usize) -> ProgressStyle {
        ProgressStyle::with_template(&format!(
            "  {{spinner:.cyan}} {{prefix:<{width}}} {{msg:<22}} {{elapsed:>4}}"
        ))
        .expect("a valid template")
    }

    fn println(&self, line: &str) {
        let _ = self.multi.println(neutralise(line));
    }

    fn job_done(&mut self, wave: &str, account: &str) {
        if let Some(bar) = self.jobs.remove(account) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        if let Some(bar) = self.waves.get(wave) {
            bar.inc(1);
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        crate::console::set_live_bars(None);
    }
}

impl Default for Bars {
    fn default() -> Self {
        Self::new()
    }
}

impl Reporter for Bars {
    fn event(&mut self, event: &Event) {
        self.destroys.event(event);
        match event {
            Event::RunStarted { waves, .. } => {
                let width = waves.iter().map(|w| w.name.len()).max().unwrap_or(0).max(5);
                self.account_width = waves
                    .iter()
                    .map(|w| w.longest_account)
                    .max()
                    .unwrap_or(0)
                    .max(self.account_width);
                // A wave the selection left empty has nothing to show (`--env prod`).
                for wave in waves.iter().filter(|w| w.jobs > 0) {
                    let bar = self.multi.add(ProgressBar::new(wave.jobs as u64));
                    bar.set_style(Self::wave_style(width));
                    bar.set_prefix(neutralise(&wave.name).into_owned());
                    bar.set_message("waiting");
                    self.waves.insert(wave.name.clone(), bar);
                }
            }
            Event::WaveStarted { wave, .. } => {
                if let Some(bar) = self.waves.get(wave) {
                    bar.set_message("running");
                }
            }
            Event::JobStarted { account, .. } => {
                self.account_width = self.account_width.max(account.len());
                let bar = self.multi.add(ProgressBar::new_spinner());
                bar.set_style(Self::job_style(self.account_width));
                bar.set_prefix(neutralise(account).into_owned());
                bar.set_message("starting");
                self.jobs.insert(account.clone(), bar);
            }
            Event::Step {
                account,
                layer,
                attempt,
                step,
            } => {
                if let Some(bar) = self.jobs.get(account) {
                    let retry = if *attempt > 1 {
                        format!(" #{attempt}")
                    } else {
                        String::new()
                    };
                    bar.set_message(neutralise(&format!("{layer} {step}{retry}")).into_owned());
                }
            }
            Event::AttemptFinished {
                account,
                layer,
                attempt,
                retry_in: Some(delay),
            } => {
                self.println(&format!(
                    "  ↻ {account} {layer}: {}; retrying in {}",
                    attempt
                        .error
                        .first()
                        .map(String::as_str)
                        .unwrap_or("transient error"),
                    describe::duration(*delay)
                ));
            }
            Event::AttemptFinished { .. } => {}
            Event::HealthCheckStarted { account, layer, .. } => {
                if let Some(bar) = self.jobs.get(account) {
                    bar.set_message(neutralise(&format!("{layer} health check")).into_owned());
                }
            }
            Event::HealthCheckFinished {
                account,
                layer,
                check,
            } => {
                let mark = if check.outcome == HealthOutcome::Passed {
                    "♥"
                } else {
                    "✗"
                };
                self.println(&format!(
                    "  {mark} {}",
                    describe::health_check(account, layer, check)
                ));
            }
            Event::LayerFinished {
                account, report, ..
            } if report.status == Status::Failed => {
                self.println(&format!("  ✗ {}", describe::layer(account, report)));
                for error in &report.error {
                    self.println(&format!("      {error}"));
                }
            }
            Event::LayerFinished { .. } => {}
            Event::JobFinished {
                wave,
                account,
                status,
                duration,
                ..
            } => {
                let destroy = self.destroys.of(account);
                let mark = match status {
                    Status::Failed => "✗",
                    Status::Cancelled | Status::Skipped | Status::Lost => "-",
                    // A plan that destroys is to be read, not ticked off.
                    _ if destroy > 0 => "!",
                    _ => "✓",
                };
                let note = if destroy > 0 {
                    format!("  {}", destroys::note(destroy))
                } else {
                    String::new()
                };
                self.println(&format!(
                    "{mark} {account:<width$}  {:<status_width$}  {}{note}",
                    describe::status(*status),
                    describe::duration(*duration),
                    width = self.account_width,
                    status_width = describe::status_width(),
                ));
                self.job_done(wave, account);
            }
            Event::JobNotRun { wave, account, .. } => self.job_done(wave, account),
            Event::WaveFinished {
                wave,
                status,
                reason,
                ..
            } => {
                if let Some(bar) = self.waves.get(wave) {
                    let message = match reason {
                        Some(reason) => format!("{}: {reason}", describe::wave_status(*status)),
                        None => describe::wave_status(*status).to_string(),
                    };
                    bar.finish_with_message(neutralise(&message).into_owned());
                }
            }
            Event::RunFinished { .. } => {}
        }
    }

    fn tick(&mut self) {
        for bar in self.jobs.values() {
            bar.tick();
        }
    }

    fn finish(&mut self) {
        // The summary follows on stdout and says how every wave ended; the lines printed
        // above the bars (each finished job) stay.
        for bar in self.jobs.values().chain(self.waves.values()) {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
        crate::console::set_live_bars(None);
    }
}
