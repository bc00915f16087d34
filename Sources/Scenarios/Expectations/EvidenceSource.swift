extension EvidenceKind {
    /// Where this kind of evidence comes from in a run of `mode`, for a verdict's "measured from":
    /// in the simulator every stream is the simulator's own; in a live run the LLM-side figures
    /// come from the mock's call log and the stack events from the in-process stack.
    public func source(mode: RunMode) -> String {
        switch (mode, self) {
        case (.sim, .taskOutcomes): return "simulator · task outcomes"
        case (.sim, .stackEvents): return "simulator · stack events"
        case (.sim, .llmCalls): return "simulator · LLM calls"
        case (.sim, .serviceAPI): return "simulator · service API"
        case (.live, .taskOutcomes): return "task outcomes"
        case (.live, .stackEvents): return "stack events"
        case (.live, .llmCalls): return "mock call log"
        case (.live, .serviceAPI): return "service API"
        }
    }
}

extension EvidenceNeed {
    /// The sources of the first alternative, joined with ` + ` (`simulator · task outcomes + simulator · LLM calls`
    /// is shortened to `simulator · task outcomes + LLM calls`).
    public func source(mode: RunMode) -> String {
        let kinds = (alternatives.first ?? []).sorted()
        let labels = kinds.map { $0.source(mode: mode) }
        guard mode == .sim, labels.count > 1 else { return labels.joined(separator: " + ") }
        let prefix = "simulator · "
        return prefix + labels.map { String($0.dropFirst(prefix.count)) }.joined(separator: " + ")
    }
}
