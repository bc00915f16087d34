/// Bounds the `model` label of stats, `/metrics` and the call log: models the profile names (its
/// `models` list, rate-limit keys and rule matchers without `*`) keep their name; the first
/// `maxExtra` other names of at most `maxBytes` bytes keep theirs too; every other name is counted
/// as `other`. So a client sending a new 2 MB model name per request cannot grow the tables.
struct ModelLabels: Sendable {
    /// Other model names labelled by their own name, at most.
    static let maxExtra = 32
    /// Longest model name used as a label, in bytes.
    static let maxBytes = 64
    /// The label of folded names.
    static let other = "other"

    /// Name → the stored label instance (so records share one string's storage).
    private var labels: [String: String] = [:]
    private var extra = 0
    /// Requests whose model was counted as `other`.
    private(set) var folded = 0

    /// Labels for the models `profile` names.
    init(profile: FaultProfile) {
        addKnown(profile)
    }

    /// The last name looked up with a stored label, and that label: requests of one run mostly
    /// name one model, and comparing two short strings is cheaper than hashing one.
    private var last: (name: String, label: String)?

    /// Also labels the models `profile` names (after a profile replacement; other names stay labelled).
    mutating func addKnown(_ profile: FaultProfile) {
        last = nil
        for m in profile.models where m.utf8.count <= Self.maxBytes { labels[m] = m }
        for m in profile.rateLimits.keys where m != "*" && m.utf8.count <= Self.maxBytes { labels[m] = m }
        for rule in profile.faults {
            if let m = rule.model, !m.hasSuffix("*"), m.utf8.count <= Self.maxBytes { labels[m] = m }
        }
    }

    /// The label of `model` (remembering it when there is room).
    mutating func label(_ model: String) -> String {
        if let last, last.name == model { return last.label }
        if let l = labels[model] {
            last = (model, l)
            return l
        }
        if model.isEmpty { return "" }
        if extra < Self.maxExtra, model.utf8.count <= Self.maxBytes {
            extra += 1
            labels[model] = model
            return model
        }
        folded += 1
        return Self.other
    }
}
