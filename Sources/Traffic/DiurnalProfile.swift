import Foundation

extension IntensityProfile {
    /// A 24-hour curve averaging `tasksPerDay`, whose peak is `peakFactor` × the mean at time of day
    /// `peakAt` (seconds); scenario time 0 is time of day `startAt`. The shape is a cosine for
    /// `peakFactor` ≤ 2 and a raised cosine to a power above that (so the trough never goes
    /// negative), sampled every 15 minutes and linear in between.
    public static func diurnal(tasksPerDay n: Double, peakFactor p: Double, peakAt: Double, startAt: Double) -> IntensityProfile {
        let day = 86_400.0
        let samples = 96
        var k = 1.0
        if p > 2 {
            func meanOfPower(_ k: Double) -> Double { exp(lgamma(k + 0.5) - lgamma(k + 1)) / Double.pi.squareRoot() }
            var lo = 0.0, hi = 2000.0
            for _ in 0..<100 {
                let mid = (lo + hi) / 2
                if 1 / meanOfPower(mid) < p { lo = mid } else { hi = mid }
            }
            k = (lo + hi) / 2
        }
        func g(_ t: Double) -> Double {
            let c = cos(2 * Double.pi * (t - peakAt) / day)
            return p <= 2 ? 1 + (p - 1) * c : pow((1 + c) / 2, k)
        }
        var points: [(at: Double, rate: Double)] = []
        for j in 0...samples {
            let t = day * Double(j) / Double(samples)
            points.append((t, g(t + startAt)))
        }
        let unscaled = IntensityProfile(points: points, period: day)
        let scale = n / unscaled.cycleArea
        return IntensityProfile(points: points.map { ($0.at, $0.rate * scale) }, period: day)
    }
}
