import Foundation

/// Axis tick positions: "nice" steps (1, 2, 5 × 10^k) for values, calendar-like steps for time,
/// and decades for log scales.
public enum Ticks {
    /// A nice step near `span / target` from the 1-2-5 series.
    public static func niceStep(span: Double, target: Int) -> Double {
        guard span > 0, span.isFinite, target > 0 else { return 1 }
        let raw = span / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let factor: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return factor * magnitude
    }

    /// Ticks covering `0...max` (or `min...max`): the axis is extended to the next tick above `max`.
    /// Returns the ticks and the axis maximum. An empty or zero range gives `[min, min + 1]`.
    /// With `integral` (counts) the step is at least 1.
    public static func linear(min: Double = 0, max: Double, target: Int = 5, integral: Bool = false) -> (ticks: [Double], upper: Double) {
        guard max.isFinite, min.isFinite, max > min else { return ([min, min + 1], min + 1) }
        var step = niceStep(span: max - min, target: target)
        if integral { step = Swift.max(step, 1) }
        let first = (min / step).rounded(.down) * step
        var ticks: [Double] = []
        var i = 0
        while true {
            let t = first + Double(i) * step
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            if t >= max - step * 1e-9 { break }
            i += 1
        }
        return (ticks, ticks.last!)
    }

    /// Steps for time axes, in seconds.
    static let timeSteps: [Double] = [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
        3600, 7200, 10800, 21600, 43200, 86400, 172_800, 604_800,
    ]

    /// Ticks for a time axis spanning `0...duration` seconds, at a step from the time series
    /// (1 s, 5 s, 15 s, 1 min, 5 min, 15 min, 1 h, 6 h, …) giving at most `target`+1 ticks.
    public static func time(duration: Double, target: Int = 6) -> [Double] {
        guard duration > 0, duration.isFinite else { return [0] }
        let step = timeSteps.first { duration / $0 <= Double(target) } ?? (duration / Double(target)).rounded(.up)
        var ticks: [Double] = []
        var t = 0.0
        var i = 0
        while t <= duration + step * 1e-9 {
            ticks.append(t)
            i += 1
            t = Double(i) * step
        }
        return ticks
    }

    /// Decade ticks (…, 0.01, 0.1, 1, 10, …) covering `lower...upper` (both > 0): the decade at or
    /// below `lower` to the decade at or above `upper`.
    public static func decades(lower: Double, upper: Double) -> [Double] {
        guard lower > 0, upper > 0, lower.isFinite, upper.isFinite else { return [1, 10] }
        let a = Int(floor(log10(lower) + 1e-9))
        var b = Int(ceil(log10(upper) - 1e-9))
        if b <= a { b = a + 1 }
        return (a...b).map { pow(10, Double($0)) }
    }
}
