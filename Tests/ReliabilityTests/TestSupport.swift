import Reliability

/// Seconds as a Duration (test shorthand).
func s(_ v: Double) -> Duration { .fromSeconds(v) }

/// Whether two durations agree to within a nanosecond-scale tolerance.
func close(_ a: Duration, _ b: Double, tolerance: Double = 1e-6) -> Bool { abs(a.seconds - b) <= tolerance }
