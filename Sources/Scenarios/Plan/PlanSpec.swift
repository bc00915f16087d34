import Reliability
import YAMLConfig

/// A scenario file's `plan:` section, or the flags of `squall plan` (flags win field by field).
///
/// ```yaml
/// plan:
///   load: 10k..1M/day          # the loads to plan for (default: 1x..100x the scenario's load)
///   steps: 7                   # levels in the range, evenly spaced in the logarithm (default 7)
///   peak_factor: 2.5           # peak / mean of the daily traffic (default: the diurnal arrival's, else 1)
///   replica_concurrency: 32    # tasks one replica runs at once (default: none; replicas not sized)
///   seeds: 3                   # a level holds only if every expectation holds on seeds 1..3 (default 3)
///   window: 1h                 # simulated time per level (default: the scenario's duration)
///   resolution: 2%             # bisection stops when the bracket is this narrow (default: see docs/plan.md)
/// ```
public struct PlanSpec: Sendable, Hashable {
    /// The loads to plan for.
    public var load: LoadRange?
    /// Levels in the range.
    public var steps: Int?
    /// Peak / mean of the daily traffic (≥ 1).
    public var peakFactor: Double?
    /// Tasks one replica runs at once.
    public var replicaConcurrency: Int?
    /// Seeds per level.
    public var seeds: Int?
    /// Simulated time per level.
    public var window: Duration?
    /// Relative width at which the bisection stops (0.001 … 0.5).
    public var resolution: Double?

    /// Creates a spec; every field absent by default.
    public init(
        load: LoadRange? = nil, steps: Int? = nil, peakFactor: Double? = nil, replicaConcurrency: Int? = nil, seeds: Int? = nil,
        window: Duration? = nil, resolution: Double? = nil
    ) {
        self.load = load
        self.steps = steps
        self.peakFactor = peakFactor
        self.replicaConcurrency = replicaConcurrency
        self.seeds = seeds
        self.window = window
        self.resolution = resolution
    }

    /// The keys of a `plan:` section.
    public static let keys = ["load", "steps", "peak_factor", "replica_concurrency", "seeds", "window", "resolution"]

    /// Bounds, shared by the section and the flags.
    public static let stepsRange = 2...50
    /// Seeds per level.
    public static let seedsRange = 1...100
    /// Peak factor.
    public static let peakFactorRange = 1.0...100.0
    /// Per-replica concurrency.
    public static let concurrencyRange = 1...1_000_000
    /// Bisection resolution.
    public static let resolutionRange = 0.001...0.5

    /// Decodes the section strictly.
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> PlanSpec {
        let m = try node.mapping(allowed: keys)
        var spec = PlanSpec()
        if let n = m.optional("load") {
            let text = try n.string()
            do { spec.load = try LoadRange.parse(text) } catch { throw n.error(error.message) }
        }
        if let n = m.optional("steps") { spec.steps = try n.int(in: stepsRange) }
        if let n = m.optional("peak_factor") { spec.peakFactor = try n.double(in: peakFactorRange) }
        if let n = m.optional("replica_concurrency") { spec.replicaConcurrency = try n.int(in: concurrencyRange) }
        if let n = m.optional("seeds") { spec.seeds = try n.int(in: seedsRange) }
        if let n = m.optional("window") { spec.window = try n.duration(min: .seconds(1)) }
        if let n = m.optional("resolution") {
            let r = try n.percent()
            guard resolutionRange.contains(r) else { throw n.error("\(Percent.format(r)) is out of range: expected 0.1% to 50%") }
            spec.resolution = r
        }
        return spec
    }

    /// This spec with every field `other` sets taken from `other`.
    public func overridden(by other: PlanSpec) -> PlanSpec {
        PlanSpec(
            load: other.load ?? load, steps: other.steps ?? steps, peakFactor: other.peakFactor ?? peakFactor,
            replicaConcurrency: other.replicaConcurrency ?? replicaConcurrency, seeds: other.seeds ?? seeds,
            window: other.window ?? window, resolution: other.resolution ?? resolution)
    }
}
