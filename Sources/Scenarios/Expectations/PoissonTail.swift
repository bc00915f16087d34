import Foundation

/// Exact tail probabilities of a Poisson distribution, from the regularized incomplete gamma
/// function (series and continued fraction, Numerical Recipes §6.2): P(X ≥ k) = P(k, μ) and
/// P(X ≤ k) = Q(k + 1, μ). Used by count thresholds written with a confidence.
public enum PoissonTail {
    /// P(X ≥ k) for X ~ Poisson(`mean`).
    public static func atLeast(_ k: Int, mean: Double) -> Double {
        if k <= 0 { return 1 }
        if mean <= 0 { return 0 }
        return regularizedGammaP(Double(k), mean)
    }

    /// P(X ≤ k) for X ~ Poisson(`mean`).
    public static func atMost(_ k: Int, mean: Double) -> Double {
        if k < 0 { return 0 }
        if mean <= 0 { return 1 }
        return regularizedGammaQ(Double(k + 1), mean)
    }

    /// P(a, x), the regularized lower incomplete gamma function.
    public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        return x < a + 1 ? series(a, x) : 1 - continuedFraction(a, x)
    }

    /// Q(a, x) = 1 − P(a, x), computed directly in the tail that needs it (no cancellation).
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        return x < a + 1 ? 1 - series(a, x) : continuedFraction(a, x)
    }

    static func front(_ a: Double, _ x: Double) -> Double { exp(-x + a * log(x) - lgamma(a)) }

    static func series(_ a: Double, _ x: Double) -> Double {
        var ap = a
        var del = 1 / a
        var sum = del
        for _ in 0..<1_000_000 {
            ap += 1
            del *= x / ap
            sum += del
            if abs(del) < abs(sum) * 1e-15 { break }
        }
        return min(1, sum * front(a, x))
    }

    static func continuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<1_000_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
        }
        return min(1, front(a, x) * h)
    }
}
