/// How arrivals are spaced under an intensity: evenly (the i-th task when Λ passes i) or as a
/// (non-homogeneous) Poisson process.
public enum ArrivalProcess: String, Sendable, Hashable, CaseIterable, Codable {
    /// Deterministic spacing: task i (0-based) starts when the expected count Λ passes i.
    case even
    /// Exponential gaps in Λ-time: a Poisson process with the profile's intensity.
    case poisson
}
