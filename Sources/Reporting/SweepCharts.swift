import Foundation
import Scenarios

/// One chart per swept parameter: how pass rate, failures/day, cost/day and p99 latency move with
/// its value, each point the median over every run with that value (other parameters and seeds
/// vary) and a bar from the lowest to the highest.
public enum SweepCharts {
    /// The chart file of a parameter: `effect-stack.retry.min.svg` (`[2]` becomes `-2`).
    public static func fileName(_ path: String) -> String {
        "effect-" + path.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "") + ".svg"
    }

    /// Every parameter's chart, as (file name, SVG).
    public static func render(_ r: SweepReport) -> [(name: String, svg: String)] {
        r.parameters.indices.map { d in (fileName(r.parameters[d].path), chart(r, parameter: d).svg()) }
    }

    /// The groups of runs by the parameter's value: categories in first-seen order for words,
    /// ascending values for numbers, or up to 8 equal-width bins when there are more than 12 values.
    static func groups(_ r: SweepReport, parameter d: Int) -> [(label: String, configurations: [Int])] {
        let values = r.configurations.map { $0.values[d] }
        var order: [String] = []
        for v in values where !order.contains(v) { order.append(v) }
        let numeric = order.compactMap { SweepQuantity.parse($0) }
        guard !r.parameters[d].categorical, numeric.count == order.count else {
            return order.map { v in (v, r.configurations.indices.filter { values[$0] == v }) }
        }
        let pairs = zip(order, numeric).sorted { $0.1.value < $1.1.value }
        if pairs.count <= 12 {
            return pairs.map { v, _ in (v, r.configurations.indices.filter { values[$0] == v }) }
        }
        let lo = pairs.first!.1.value
        let hi = pairs.last!.1.value
        let kind = pairs.first!.1.kind
        let bins = 8
        var out: [(label: String, configurations: [Int])] = (0..<bins).map { b in
            (SweepQuantity.format(lo + (hi - lo) * (Double(b) + 0.5) / Double(bins), kind == .integer ? .number : kind), [])
        }
        for (i, v) in values.enumerated() {
            guard let q = SweepQuantity.parse(v) else { continue }
            let b = hi > lo ? min(bins - 1, Int((q.value - lo) / (hi - lo) * Double(bins))) : 0
            out[b].configurations.append(i)
        }
        return out.filter { !$0.configurations.isEmpty }.map { ("~" + $0.label, $0.configurations) }
    }

    /// The chart of parameter `d`.
    public static func chart(_ r: SweepReport, parameter d: Int) -> SpreadPanelChart {
        let groups = groups(r, parameter: d)
        var runsByConfiguration: [Int: [SweepRun]] = [:]
        for run in r.runs { runsByConfiguration[run.index, default: []].append(run) }
        func point(_ label: String, _ configs: [Int], _ value: (SweepRun) -> Double) -> SpreadPanelChart.Point {
            let runs = configs.flatMap { runsByConfiguration[r.configurations[$0].index] ?? [] }
            let v = runs.map(value).filter(\.isFinite).sorted()
            let passed = runs.filter(\.passed).count
            let state: Bool? = runs.isEmpty ? nil : (passed == runs.count ? true : (passed == 0 ? false : nil))
            guard !v.isEmpty else { return .init(label: label, median: .nan, low: .nan, high: .nan, passed: state) }
            return .init(label: label, median: median(v), low: v.first!, high: v.last!, passed: state)
        }
        let passRate = groups.map { g -> SpreadPanelChart.Point in
            let rates = g.configurations.map { r.configurations[$0] }.filter { $0.runs > 0 }.map(\.passRate).sorted()
            let runs = g.configurations.flatMap { runsByConfiguration[r.configurations[$0].index] ?? [] }
            let share = runs.isEmpty ? Double.nan : Double(runs.filter(\.passed).count) / Double(runs.count)
            let state: Bool? = runs.isEmpty ? nil : (share == 1 ? true : (share == 0 ? false : nil))
            return .init(label: g.label, median: share, low: rates.first ?? .nan, high: rates.last ?? .nan, passed: state)
        }
        let path = r.parameters[d].path
        return SpreadPanelChart(
            title: "Effect of \(path)", xLabel: path, logX: false,
            panels: [
                .init(title: "runs passing every expectation", unit: .percent, points: passRate),
                .init(
                    title: "failures/day", unit: .count,
                    points: groups.map { point($0.label, $0.configurations) { $0.figures.failuresPerDay } }),
                .init(
                    title: "cost/day", unit: .dollars, points: groups.map { point($0.label, $0.configurations) { $0.figures.costPerDay } }),
                .init(
                    title: "latency p99", unit: .seconds,
                    points: groups.map { point($0.label, $0.configurations) { $0.figures.latencyP99 } }),
            ],
            summary:
                "For each value of \(path): the share of runs passing every expectation (bar: lowest to highest configuration pass rate), and the median of failures/day, cost/day and p99 latency over every run with that value (bar: lowest to highest; the other parameters and the seeds vary)."
        )
    }

    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
