//! A function's own measurements for its log lines (benchmarks read them).

/// Starts measuring this process's peak memory afresh (Linux: `/proc/self/clear_refs`), so
/// each run's log line gives its own peak. Best effort: where it is not allowed, the
/// peak is the process's since it started.
pub fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// This process's peak resident memory (`VmHWM`), in KiB, where Linux reports it.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
