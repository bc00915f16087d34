import YAMLConfig

/// A scenario file's `sweep:` section: what `squall sweep` varies when given the file (flags
/// override or extend it).
///
/// ```yaml
/// sweep:
///   vary:
///     stack.retry.jitter: [none, full, equal]        # a list, or "none,full,equal"
///     stack.retry.min: 500ms..4s/500ms                # a range with a step
///     stack.breaker.recovery_timeout: "loguniform(5s,2m)"   # random / lhs only
///   sampling: grid        # grid | random | lhs (default: grid, or lhs when a distribution is given)
///   samples: 32           # random and lhs
///   seeds: 3              # each configuration runs on seeds 1..3
///   seed: 7               # the seed of random and lhs draws (default: the scenario's seed)
/// ```
public struct SweepSpec: Sendable, Hashable {
    /// The parameters, in file order.
    public var parameters: [SweepParameter]
    /// The sampling, if given.
    public var sampling: SweepSampling?
    /// Configurations for random and lhs sampling, if given.
    public var samples: Int?
    /// Seeds per configuration, if given.
    public var seeds: Int?
    /// The seed of random and lhs draws, if given.
    public var seed: UInt64?

    /// Creates a spec.
    public init(
        parameters: [SweepParameter] = [], sampling: SweepSampling? = nil, samples: Int? = nil, seeds: Int? = nil, seed: UInt64? = nil
    ) {
        self.parameters = parameters
        self.sampling = sampling
        self.samples = samples
        self.seeds = seeds
        self.seed = seed
    }

    /// The keys of a `sweep:` section.
    public static let keys = ["vary", "sampling", "samples", "seeds", "seed"]

    /// The most seeds per configuration.
    public static let maxSeeds = 1000

    /// Decodes the section strictly (paths and VALUES are checked here; whether each value loads is
    /// checked when the sweep is built, against the scenario's own YAML).
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> SweepSpec {
        let m = try node.mapping(allowed: keys)
        var spec = SweepSpec()
        let vary = try m.required("vary")
        var seen = Set<String>()
        for (key, value) in try vary.dictionary() {
            let mark = value.mark
            let source = SweepParameter.Source.file(file: value.file, line: mark?.line ?? 0, column: mark?.column ?? 0)
            let path: ParameterPath
            do { path = try ParameterPath.parse(key) } catch { throw value.error(error.message) }
            guard seen.insert(path.description).inserted else { throw value.error("\(path) is varied twice") }
            let values: SweepValues
            if value.isSequence {
                var items: [String] = []
                for item in try value.sequence() { items.append(try item.string()) }
                guard !items.isEmpty else { throw value.error("an empty list; give at least one value") }
                do { values = .list(try SweepValues.list(items, text: items.joined(separator: ","))) } catch {
                    throw value.error(error.message)
                }
            } else {
                let text = try value.string()
                do { values = try SweepValues.parse(text) } catch { throw value.error(error.message) }
            }
            spec.parameters.append(SweepParameter(path: path, values: values, source: source))
        }
        guard !spec.parameters.isEmpty else { throw vary.error("vary at least one parameter, e.g. stack.retry.attempts: 3..8") }
        if let s = m.optional("sampling") { spec.sampling = SweepSampling(rawValue: try s.oneOf(SweepSampling.allCases.map(\.rawValue))) }
        if let s = m.optional("samples") { spec.samples = try s.int(in: 1...SweepDesign.maxConfigurations) }
        if let s = m.optional("seeds") { spec.seeds = try s.int(in: 1...maxSeeds) }
        if let s = m.optional("seed") { spec.seed = try s.uint64() }
        return spec
    }
}
