/// The Pareto front of points where every coordinate is to be minimised: the points no other
/// point dominates (another point dominates p when it is no worse in every coordinate and better
/// in at least one). Equal points do not dominate each other, so both stay on the front.
public enum ParetoFront {
    /// Indices of the non-dominated points, ascending. O(n² · d): a sweep has at most 10,000
    /// configurations, and the front is computed once.
    public static func indices(_ points: [[Double]]) -> [Int] {
        var front: [Int] = []
        for (i, p) in points.enumerated() {
            let dominated = points.indices.contains { j in j != i && dominates(points[j], p) }
            if !dominated { front.append(i) }
        }
        return front
    }

    /// Whether `a` dominates `b` (both minimised; NaN counts as worst).
    public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
        var strictly = false
        for (x, y) in zip(a, b) {
            let x = x.isNaN ? .infinity : x
            let y = y.isNaN ? .infinity : y
            if x > y { return false }
            if x < y { strictly = true }
        }
        return strictly
    }
}
