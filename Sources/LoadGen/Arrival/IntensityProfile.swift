import Foundation

/// An arrival intensity λ(t) (tasks per scenario second) made of linear pieces, optionally repeating
/// with a period. It knows its cumulative Λ(t) and the inverse Λ⁻¹, which is how schedules turn
/// "the i-th task" (even spacing) or a unit-rate Poisson stream into intended start times (the
/// time-change theorem: Λ⁻¹ of a unit-rate Poisson process is a Poisson process with intensity λ).
public struct IntensityProfile: Sendable, Hashable {
    struct Piece: Sendable, Hashable {
        var start: Double
        var length: Double
        var fromRate: Double
        var toRate: Double
        var cumulativeAtStart: Double
        var area: Double { length * (fromRate + toRate) / 2 }
    }

    let pieces: [Piece]
    /// Repeat period in seconds; nil means the last piece's end rate holds for ever.
    let period: Double?
    let cycleArea: Double

    /// A profile from breakpoints `(offset seconds, rate)`, linear between consecutive points; the
    /// first offset must be 0 and offsets non-decreasing (equal offsets make a step). Without a
    /// `period` the last rate holds for ever; with one, the points must end at `period` and the
    /// profile repeats.
    public init(points: [(at: Double, rate: Double)], period: Double? = nil) {
        precondition(!points.isEmpty && points[0].at == 0, "an intensity profile starts at offset 0")
        var pieces: [Piece] = []
        var cumulative = 0.0
        for i in points.indices.dropFirst() {
            let a = points[i - 1], b = points[i]
            precondition(b.at >= a.at, "intensity breakpoints must not go backwards")
            precondition(a.rate >= 0 && b.rate >= 0, "rates must be non-negative")
            guard b.at > a.at else { continue }
            let piece = Piece(
                start: a.at, length: b.at - a.at, fromRate: a.rate, toRate: b.rate, cumulativeAtStart: cumulative)
            cumulative += piece.area
            pieces.append(piece)
        }
        if period == nil {
            let last = points[points.count - 1]
            pieces.append(
                Piece(start: last.at, length: .infinity, fromRate: last.rate, toRate: last.rate, cumulativeAtStart: cumulative))
        } else {
            precondition(points[points.count - 1].at == period, "a periodic profile's points must end at its period")
        }
        self.pieces = pieces
        self.period = period
        self.cycleArea = period == nil ? .infinity : cumulative
    }

    /// A constant rate.
    public static func constant(_ rate: Double) -> IntensityProfile { IntensityProfile(points: [(0, rate)]) }

    /// The intensity at `t` seconds.
    public func rate(at t: Double) -> Double {
        var x = t
        if let period { x = t.truncatingRemainder(dividingBy: period) }
        let p = piece(containing: x)
        if p.length.isInfinite { return p.fromRate }
        return p.fromRate + (p.toRate - p.fromRate) * (x - p.start) / p.length
    }

    /// Expected arrivals in `[0, t)`: Λ(t).
    public func cumulative(at t: Double) -> Double {
        guard t > 0 else { return 0 }
        var cycles = 0.0
        var x = t
        if let period {
            cycles = (t / period).rounded(.down)
            x = t - cycles * period
        }
        let p = piece(containing: x)
        let dx = x - p.start
        let slope = p.length.isInfinite ? 0 : (p.toRate - p.fromRate) / p.length
        return (cycles > 0 ? cycles * cycleArea : 0) + p.cumulativeAtStart + p.fromRate * dx + slope * dx * dx / 2
    }

    /// The time at which Λ reaches `s`, or nil if it never does (the rate falls to zero for good).
    public func inverse(_ s: Double) -> Double? {
        guard s > 0 else { return 0 }
        var cycles = 0.0
        var rest = s
        if period != nil {
            guard cycleArea > 0 else { return nil }
            cycles = (s / cycleArea).rounded(.down)
            rest = s - cycles * cycleArea
            if rest <= 0, cycles > 0 {  // exactly at a cycle boundary
                cycles -= 1
                rest = cycleArea
            }
        }
        var lo = 0, hi = pieces.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if pieces[mid].cumulativeAtStart < rest { lo = mid } else { hi = mid - 1 }
        }
        let p = pieces[lo]
        let d = rest - p.cumulativeAtStart
        let offset: Double
        if p.length.isInfinite {
            guard p.fromRate > 0 else { return nil }
            offset = d / p.fromRate
        } else {
            let k = (p.toRate - p.fromRate) / (2 * p.length)
            let a = p.fromRate
            let disc = max(0, a * a + 4 * k * d)
            let denom = a + disc.squareRoot()
            offset = denom > 0 ? min(p.length, 2 * d / denom) : p.length
        }
        return cycles * (period ?? 0) + p.start + offset
    }

    private func piece(containing x: Double) -> Piece {
        var lo = 0, hi = pieces.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if pieces[mid].start <= x { lo = mid } else { hi = mid - 1 }
        }
        return pieces[lo]
    }
}
