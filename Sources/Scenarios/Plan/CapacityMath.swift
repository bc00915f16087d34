import Foundation

/// The closed-form parts of a capacity plan, kept apart so each is checked against hand
/// computation. The simulator supplies what no formula can (retry amplification, latency under
/// throttling); these turn its figures into limits, headroom, concurrency and replicas.
public enum CapacityMath {
    /// Little's law: mean number in the system L = λ · W, with `arrivalsPerSecond` λ and
    /// `meanSeconds` W (the mean time a task spends from its intended start to its end).
    public static func littlesLaw(arrivalsPerSecond: Double, meanSeconds: Double) -> Double {
        arrivalsPerSecond * meanSeconds
    }

    /// Tasks per second of a load given in tasks per day.
    public static func perSecond(perDay: Double) -> Double { perDay / 86_400 }

    /// Per minute of a figure given per day, at a constant rate.
    public static func perMinute(perDay: Double) -> Double { perDay / 1440 }

    /// The share of a limit a demand uses (demand / limit); above 1 the limit is exceeded.
    public static func utilization(demand: Double, limit: Double) -> Double {
        limit > 0 ? demand / limit : .infinity
    }

    /// What is left of a limit, as a share of it: 1 − utilization (negative when exceeded).
    public static func headroom(demand: Double, limit: Double) -> Double {
        1 - utilization(demand: demand, limit: limit)
    }

    /// The limit that binds first at this load: the one with the highest utilization (ties: the
    /// first given). Nil for no limits.
    public static func binding(_ checks: [LimitCheck]) -> LimitCheck? {
        var best: LimitCheck?
        for c in checks where best == nil || c.utilization > best!.utilization { best = c }
        return best
    }

    /// Replicas needed to hold `inFlight` tasks at `perReplica` each: ⌈inFlight / perReplica⌉, at least 1.
    public static func replicas(inFlight: Double, perReplica: Int) -> Int {
        guard perReplica > 0 else { return 0 }
        return max(1, Int((inFlight / Double(perReplica) - 1e-9).rounded(.up)))
    }

    /// The load at which a demand that grows in proportion to load reaches `limit`: from the
    /// highest measured level whose demand is still below the limit, load × limit / demand (demand
    /// per task is constant until the limit binds; above it, retries of refused calls inflate the
    /// demand, so interpolating towards a level beyond the limit would understate the crossing).
    /// When every level is at or above the limit, the same proportion from the lowest level.
    /// `extrapolated` is true when the crossing lies outside the measured levels. `levels` are
    /// ascending; nil when no level has demand.
    public static func crossing(levels: [(load: Double, demand: Double)], limit: Double) -> (load: Double, extrapolated: Bool)? {
        let measured = levels.filter { $0.demand > 0 }
        guard let first = measured.first, let last = measured.last else { return nil }
        guard let below = measured.last(where: { $0.demand < limit }) else {
            let load = first.load * limit / first.demand
            return (load, load < first.load)
        }
        let load = below.load * limit / below.demand
        return (load, load > last.load)
    }
}

/// One provider limit against the demand at a load.
public struct LimitCheck: Sendable, Codable, Hashable {
    /// The model (`*` for the limits of unlisted models).
    public var model: String
    /// `rpm`, `tpm`, `rpd` or `tpd`.
    public var limit: String
    /// The limit's value.
    public var value: Double
    /// The demand on it (requests or tokens per minute or per day).
    public var demand: Double
    /// demand / value.
    public var utilization: Double
    /// 1 − utilization.
    public var headroom: Double

    /// Checks `demand` against `value`.
    public init(model: String, limit: String, value: Double, demand: Double) {
        self.model = model
        self.limit = limit
        self.value = value
        self.demand = demand
        self.utilization = CapacityMath.utilization(demand: demand, limit: value)
        self.headroom = CapacityMath.headroom(demand: demand, limit: value)
    }

    /// `llama-3.1-8b-instant TPM`.
    public var label: String { "\(model) \(limit.uppercased())" }
}
