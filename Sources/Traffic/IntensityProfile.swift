/// An arrival intensity λ(t) (tasks per scenario second) made of linear pieces and point masses
/// (a burst of tasks at one instant), optionally repeating with a period. It knows its cumulative
/// Λ(t) and the inverse Λ⁻¹, which is how schedules turn "the i-th task" (even spacing) or a
/// unit-rate Poisson stream into intended start times (the time-change theorem: Λ⁻¹ of a unit-rate
/// Poisson process is a Poisson process with intensity λ).
public struct IntensityProfile: Sendable, Hashable {
    struct Piece: Sendable, Hashable {
        /// Offset of the piece within the cycle, seconds.
        var start: Double
        /// Length in seconds; `.infinity` for the last piece of a profile without a period.
        var length: Double
        /// Expected arrivals at `start` itself (a point mass), before the linear part.
        var mass: Double
        var fromRate: Double
        var toRate: Double
        /// Λ just before `start` (the point mass excluded).
        var cumulativeAtStart: Double
        var linearArea: Double { length.isInfinite ? (fromRate > 0 ? .infinity : 0) : length * (fromRate + toRate) / 2 }
        var area: Double { mass + linearArea }
    }

    let pieces: [Piece]
    /// Repeat period in seconds; nil means the last piece's end rate holds for ever.
    let period: Double?
    /// Expected arrivals in one period (infinite without a period).
    let cycleArea: Double

    /// A profile from breakpoints `(offset seconds, rate)`, linear between consecutive points, plus
    /// point masses `(offset seconds, expected count)`. The first offset must be 0 and offsets
    /// non-decreasing (equal offsets make a step). Without a `period` the last rate holds for ever;
    /// with one, the points must end at `period`, every mass must lie in `[0, period)`, and the
    /// profile repeats.
    public init(points: [(at: Double, rate: Double)], masses: [(at: Double, count: Double)] = [], period: Double? = nil) {
        precondition(!points.isEmpty && points[0].at == 0, "an intensity profile starts at offset 0")
        var pieces: [Piece] = []
        for i in points.indices.dropFirst() {
            let a = points[i - 1], b = points[i]
            precondition(b.at >= a.at, "intensity breakpoints must not go backwards")
            precondition(a.rate >= 0 && b.rate >= 0, "rates must be non-negative")
            guard b.at > a.at else { continue }
            pieces.append(
                Piece(start: a.at, length: b.at - a.at, mass: 0, fromRate: a.rate, toRate: b.rate, cumulativeAtStart: 0))
        }
        let last = points[points.count - 1]
        if let period {
            precondition(last.at == period, "a periodic profile's points must end at its period")
        } else {
            pieces.append(Piece(start: last.at, length: .infinity, mass: 0, fromRate: last.rate, toRate: last.rate, cumulativeAtStart: 0))
        }
        for m in masses where m.count > 0 {
            precondition(m.at >= 0 && (period.map { m.at < $0 } ?? true), "a point mass lies inside the profile")
            // Split the piece containing the mass so that the mass sits at a piece's start.
            var k = pieces.lastIndex { $0.start <= m.at } ?? 0
            let p = pieces[k]
            if m.at > p.start {
                let x = m.at - p.start
                let mid = p.length.isInfinite ? p.fromRate : p.fromRate + (p.toRate - p.fromRate) * x / p.length
                pieces[k] = Piece(start: p.start, length: x, mass: p.mass, fromRate: p.fromRate, toRate: mid, cumulativeAtStart: 0)
                pieces.insert(
                    Piece(start: m.at, length: p.length - x, mass: 0, fromRate: mid, toRate: p.toRate, cumulativeAtStart: 0),
                    at: k + 1)
                k += 1
            }
            pieces[k].mass += m.count
        }
        var cumulative = 0.0
        for i in pieces.indices {
            pieces[i].cumulativeAtStart = cumulative
            cumulative += pieces[i].area
        }
        self.pieces = pieces
        self.period = period
        self.cycleArea = period == nil ? .infinity : cumulative
    }

    /// A constant rate.
    public static func constant(_ rate: Double) -> IntensityProfile { IntensityProfile(points: [(0, rate)]) }

    /// The intensity at `t` seconds (point masses are not rates and are left out).
    public func rate(at t: Double) -> Double {
        var x = t
        if let period { x = t - (t / period).rounded(.down) * period }
        let p = piece(containing: x)
        if p.length.isInfinite { return p.fromRate }
        return p.fromRate + (p.toRate - p.fromRate) * (x - p.start) / p.length
    }

    /// Expected arrivals in `[0, t)`: Λ(t) (a point mass at `t` itself is not included).
    public func cumulative(at t: Double) -> Double {
        guard t > 0 else { return 0 }
        var cycles = 0.0
        var x = t
        if let period {
            cycles = (t / period).rounded(.down)
            x = t - cycles * period
        }
        let p = piece(containing: x)
        let base = cycles > 0 ? cycles * cycleArea : 0
        let dx = x - p.start
        if dx <= 0 { return base + p.cumulativeAtStart }
        let slope = p.length.isInfinite ? 0 : (p.toRate - p.fromRate) / p.length
        return base + p.cumulativeAtStart + p.mass + p.fromRate * dx + slope * dx * dx / 2
    }

    /// The first time at which Λ passes `s` (including a point mass at that time), or nil if it
    /// never does (the rate falls to zero for good). Task `i` of an evenly spaced schedule starts at
    /// `inverse(i)`; a point mass of `n` at time `a` puts exactly the levels in `[Λ(a), Λ(a) + n)` at `a`.
    public func inverse(_ s: Double) -> Double? {
        guard s >= 0, s.isFinite else { return s < 0 ? 0 : nil }
        var cycles = 0.0
        var rest = s
        if period != nil {
            guard cycleArea > 0 else { return nil }
            cycles = (s / cycleArea).rounded(.down)
            rest = s - cycles * cycleArea
            if rest >= cycleArea {  // rounding at a cycle boundary
                cycles += 1
                rest -= cycleArea
            }
            if rest < 0 { rest = 0 }
        }
        // The last piece whose cumulative start is at or below the level: pieces with nothing in
        // them share their successor's start and are skipped.
        var lo = 0, hi = pieces.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if pieces[mid].cumulativeAtStart <= rest { lo = mid } else { hi = mid - 1 }
        }
        let p = pieces[lo]
        var d = rest - p.cumulativeAtStart
        let offset: Double
        if d < p.mass {
            offset = 0
        } else {
            d -= p.mass
            if d <= 0 {
                offset = 0
            } else if p.length.isInfinite {
                guard p.fromRate > 0 else { return nil }
                offset = d / p.fromRate
            } else {
                let k = (p.toRate - p.fromRate) / (2 * p.length)
                let a = p.fromRate
                let disc = max(0, a * a + 4 * k * d)
                let denom = a + disc.squareRoot()
                offset = denom > 0 ? min(p.length, 2 * d / denom) : p.length
            }
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
