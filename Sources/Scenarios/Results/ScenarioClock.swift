/// Scenario-time conversions for the recorder's hot paths: integer nanoseconds and microseconds
/// (exact, so integer sums merge exactly) and seconds as `Double` for figures.
enum ScenarioClock {
    /// Whole nanoseconds of `d` (rounded toward zero; the simulator's times are whole nanoseconds).
    @inline(__always)
    static func nanoseconds(_ d: Duration) -> Int64 { nanoseconds(attoseconds: d.attoseconds) }

    /// Whole nanoseconds of `attoseconds` (toward zero). For times from 0 to 570 years this is one
    /// 128-by-64-bit hardware division instead of the 128-bit library division.
    @inline(__always)
    static func nanoseconds(attoseconds a: Int128) -> Int64 {
        let high = UInt64(truncatingIfNeeded: a >> 64)
        if a >= 0, high < 1_000_000_000 {
            return Int64(truncatingIfNeeded: UInt64(1_000_000_000).dividingFullWidth((high, UInt64(truncatingIfNeeded: a))).quotient)
        }
        return Int64(truncatingIfNeeded: a / 1_000_000_000)
    }

    /// Microseconds of `d`, rounded to the nearest (what HDR histograms and `tasks.csv` record).
    @inline(__always)
    static func microseconds(_ d: Duration) -> Int64 { microseconds(nanos: nanoseconds(d)) }

    /// Microseconds of `ns` nanoseconds, rounded to the nearest.
    @inline(__always)
    static func microseconds(nanos ns: Int64) -> Int64 { ns >= 0 ? (ns + 500) / 1000 : -((-ns + 500) / 1000) }

    /// Seconds of `ns` nanoseconds.
    @inline(__always)
    static func seconds(_ ns: Int64) -> Double { Double(ns) / 1e9 }
}
