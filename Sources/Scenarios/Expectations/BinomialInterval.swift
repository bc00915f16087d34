import Foundation

/// Exact (Clopper–Pearson) confidence intervals for a binomial proportion, from the regularized
/// incomplete beta function (continued fraction, Numerical Recipes §6.4) inverted by bisection.
public enum BinomialInterval {
    /// The two-sided interval for `successes` out of `trials` at `confidence` (e.g. 0.99).
    /// With 0 successes the lower bound is 0; with all successes the upper bound is 1.
    public static func clopperPearson(successes k: Int, trials n: Int, confidence: Double) -> (lower: Double, upper: Double) {
        guard n > 0 else { return (0, 1) }
        let alpha = 1 - confidence
        let lower = k == 0 ? 0 : betaQuantile(alpha / 2, a: Double(k), b: Double(n - k + 1))
        let upper = k == n ? 1 : betaQuantile(1 - alpha / 2, a: Double(k + 1), b: Double(n - k))
        return (lower, upper)
    }

    /// The `p`-quantile of Beta(a, b).
    public static func betaQuantile(_ p: Double, a: Double, b: Double) -> Double {
        var lo = 0.0
        var hi = 1.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if regularizedIncompleteBeta(mid, a: a, b: b) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// I_x(a, b), the regularized incomplete beta function.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        let front = exp(lnFront)
        if x < (a + 1) / (a + b + 2) {
            return front * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - front * continuedFraction(1 - x, a: b, b: a) / b
    }

    /// Lentz's method for the incomplete beta continued fraction.
    static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b
        let qap = a + 1
        let qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
        }
        return h
    }
}
