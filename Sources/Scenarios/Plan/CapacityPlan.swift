import Foundation
import MockLLM
import Reliability
import YAMLConfig

/// A checked capacity plan: the scenario, the settings resolved from `plan:` and the flags, and
/// the scenario of any load level, built by writing the level's rate into the scenario's YAML and
/// decoding it through the normal loader.
///
/// Each level is simulated twice per seed: at the **peak** (the level × the peak factor, over the
/// window), where the expectations are judged and per-minute demand is measured against RPM and
/// TPM; and at the **mean** (the level itself, over the window), whose totals scaled to a day
/// (× 86400 / window) give the per-day figures, RPD/TPD demand and cost. With a peak factor of 1
/// the two are one run. A diurnal arrival is replaced by Poisson arrivals at that rate (the peak
/// factor stands for the daily shape). Per-day limits (RPD, TPD) are not simulated: a window
/// shorter than several days starts with full daily buckets and would hide them, so they are
/// checked against the per-day demand instead; RPM and TPM are enforced by the simulated provider.
public struct CapacityPlan: Sendable {
    /// The resolved settings.
    public struct Settings: Sendable, Hashable {
        /// The loads planned for, tasks per day.
        public var load: LoadRange
        /// Levels in the range.
        public var steps: Int
        /// Peak / mean.
        public var peakFactor: Double
        /// Where the peak factor came from (`--peak-factor`, `plan.peak_factor`, `the diurnal arrival`, `default`).
        public var peakFactorSource: String
        /// Tasks per replica; nil: replicas are not sized.
        public var replicaConcurrency: Int?
        /// Seeds 1…K per level.
        public var seeds: Int
        /// Simulated time per level.
        public var window: Duration
        /// Bisection resolution; nil: chosen from the window's task count (see `Planner.resolution`).
        public var resolution: Double?
    }

    /// The scenario as written.
    public let base: Scenario
    /// Its YAML document.
    public let document: ConfigNode
    /// The settings.
    public let settings: Settings
    /// Tokens the provider charges a call up front, per model: the prompt-weighted mean of
    /// max(max_tokens, prompt estimate) over the prompts routed to the model (what the simulated
    /// rate limiter charges, as OpenAI and Groq do).
    public let chargePerCall: [String: Double]

    /// The default number of levels.
    public static let defaultSteps = 7
    /// The default seeds per level.
    public static let defaultSeeds = 3

    /// Resolves `flags` over the scenario's `plan:` and checks that the lowest and highest levels
    /// (at the mean and at the peak) load; nothing runs. `flagNames` maps each field to the flag
    /// that set it, for errors.
    public static func build(document: ConfigNode, base: Scenario, flags: PlanSpec) throws(ConfigError) -> CapacityPlan {
        let file = base.plan ?? PlanSpec()
        let spec = file.overridden(by: flags)
        let load = spec.load ?? LoadRange(lower: base.load.tasksPerDay, upper: base.load.tasksPerDay * 100)
        var peak = 1.0
        var peakSource = "default (flat traffic)"
        if let f = flags.peakFactor {
            peak = f
            peakSource = "--peak-factor"
        } else if let f = file.peakFactor {
            peak = f
            peakSource = "plan.peak_factor"
        } else if let f = diurnalPeakFactor(base) {
            peak = f
            peakSource = "the scenario's diurnal arrival"
        }
        let settings = Settings(
            load: load, steps: spec.steps ?? defaultSteps, peakFactor: peak, peakFactorSource: peakSource,
            replicaConcurrency: spec.replicaConcurrency, seeds: spec.seeds ?? defaultSeeds, window: spec.window ?? base.duration,
            resolution: spec.resolution)
        let plan = CapacityPlan(base: base, document: document, settings: settings, chargePerCall: charges(base))
        // The extremes must load (the loader's task limit, fault windows inside the window).
        let blame: (file: String, path: String) =
            flags.window != nil
            ? ("--window", "")
            : flags.load != nil
                ? ("--load", "")
                : flags.peakFactor != nil
                    ? ("--peak-factor", "")
                    : file.window != nil ? (base.source, "plan.window") : (base.source, "plan.load")
        for rate in [load.lower, load.upper * peak] {
            do { _ = try plan.scenario(tasksPerDay: rate) } catch {
                throw ConfigError(
                    file: blame.file, line: 0, column: 0, path: blame.path,
                    message:
                        "the level of \(PlanNumber.load(rate)) tasks/day over \(DurationFormat.format(settings.window)) does not load: \(error.path.isEmpty ? "" : error.path + ": ")\(error.message)",
                    suggestion: error.suggestion)
            }
        }
        return plan
    }

    /// The scenario at `tasksPerDay` over the window: the rate written into `load:` (a diurnal
    /// arrival becomes Poisson), the window into `duration:`, decoded by the loader; per-day rate
    /// limits removed from the simulated provider (they are checked by arithmetic).
    public func scenario(tasksPerDay: Double) throws(ConfigError) -> Scenario {
        guard let root = document.yaml else {
            throw ConfigError(file: document.file, line: 0, column: 0, path: "", message: "the scenario is empty")
        }
        var changes: [(ParameterPath, String)] = [
            (ParameterPath([.key("load"), .key("tasks_per_day")]), SweepQuantity.number(tasksPerDay))
        ]
        if Self.diurnalPeakFactor(base) != nil { changes.append((ParameterPath([.key("load"), .key("arrival")]), "poisson")) }
        if settings.window != base.duration {
            changes.append((ParameterPath([.key("duration")]), DurationFormat.format(settings.window)))
        }
        var s: Scenario
        do {
            var patched = root
            for (path, value) in changes { patched = try ScenarioPatch.apply(path, value, to: patched, replacing: true) }
            s = try ScenarioLoader.decode(ConfigNode(yaml: patched, file: document.file))
        } catch let e as ConfigError {
            throw e
        } catch {
            throw ConfigError(file: document.file, line: 0, column: 0, path: "", message: "\(error)")
        }
        s.source = base.source
        for (model, limits) in s.llm.rateLimits {
            var l = limits
            l.rpd = nil
            l.tpd = nil
            if l.isEmpty { s.llm.rateLimits.removeValue(forKey: model) } else { s.llm.rateLimits[model] = l }
        }
        return s
    }

    /// The peak factor a diurnal arrival implies (its peak / its mean), or nil for other arrivals.
    public static func diurnalPeakFactor(_ s: Scenario) -> Double? {
        if case .diurnal(_, let factor, _, _) = s.load.arrival.shape { return factor }
        return nil
    }

    /// The up-front charge per call of each model the scenario's prompts are routed to.
    static func charges(_ s: Scenario) -> [String: Double] {
        var weight: [String: Double] = [:]
        var tokens: [String: Double] = [:]
        for p in s.load.prompts {
            guard let planned = try? s.stack.plan(task: p.text) else { continue }
            let charge = Double(max(planned.route.maxTokens, planned.prompt.estimatedTokens))
            weight[planned.route.model, default: 0] += p.weight
            tokens[planned.route.model, default: 0] += p.weight * charge
        }
        var out: [String: Double] = [:]
        for (m, w) in weight where w > 0 { out[m] = tokens[m]! / w }
        return out
    }

    /// The rate limits that apply to `model` in the scenario as written (its own, else `*`).
    public func limits(for model: String) -> RateLimits? {
        RateLimiter(limits: base.llm.rateLimits).limits(for: model)
    }
}
