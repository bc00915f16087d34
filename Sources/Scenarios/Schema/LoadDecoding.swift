import Reliability
import YAMLConfig

/// Decodes the `load:` section.
enum LoadDecoding {
    static let keys = ["tasks_per_day", "rate", "arrival", "duplicates", "prompts", "concurrency", "stream"]
    static let arrivals = ["constant", "poisson", "ramp", "diurnal", "bursts"]

    static func decode(_ node: ConfigNode, duration: Duration) throws(ConfigError) -> LoadSpec {
        let m = try node.mapping(allowed: keys)
        let perDay = m.optional("tasks_per_day")
        let rateNode = m.optional("rate")
        if let perDay, rateNode != nil {
            throw perDay.error("give either 'tasks_per_day' or 'rate', not both")
        }
        var rate: Double?
        if let perDay { rate = try perDay.double(in: 0...1e12) / 86_400 }
        if let rateNode { rate = try rateNode.rate() }
        let arrival = try decodeArrival(m["arrival"], duration: duration)
        if case .bursts(let every, let size, _, _) = arrival {
            if let r = perDay ?? rateNode {
                throw r.error("'bursts' arrivals set their own rate (size per period); remove '\(r.pathComponents.last!)'")
            }
            rate = Double(size) / every.seconds
        }
        guard let rate else {
            throw m.owner.error("missing required field 'tasks_per_day' (or 'rate', e.g. 2/s)")
        }
        guard rate > 0 else { throw (perDay ?? rateNode ?? m.owner).error("the rate must be above zero") }
        guard rate * duration.seconds <= 50_000_000 else {
            throw (perDay ?? rateNode ?? m.owner).error(
                "\(Int(rate * duration.seconds)) tasks over the duration is too many (at most 50,000,000 per run)")
        }
        var spec = LoadSpec(ratePerSecond: rate, arrival: arrival)
        if let d = m.optional("duplicates") { spec.duplicates = try decodeDuplicates(d) }
        if let p = m.optional("prompts") { spec.prompts = try decodePrompts(p) }
        if let c = m.optional("concurrency") { spec.concurrency = try c.int(in: 1...1_000_000) }
        if let s = m.optional("stream") { spec.stream = try s.bool() }
        return spec
    }

    static func decodeArrival(_ node: ConfigNode, duration: Duration) throws(ConfigError) -> ArrivalPattern {
        if node.isNull { return .poisson }
        if node.isScalar {
            switch try node.oneOf(arrivals) {
            case "constant": return .constant
            case "poisson": return .poisson
            case "ramp": return .ramp(from: 0, to: 2)
            case "diurnal": return .diurnal(peakToTrough: 3, peakAt: .seconds(14 * 3600))
            default:
                throw node.error("'bursts' needs its parameters, e.g. { bursts: { every: 10m, size: 100 } }")
            }
        }
        let m = try node.mapping(allowed: arrivals)
        guard m.keys.count == 1, let kind = m.keys.first else {
            throw node.error("give exactly one arrival pattern: one of \(arrivals.joined(separator: ", "))")
        }
        let body = m[kind]
        switch kind {
        case "constant": return .constant
        case "poisson": return .poisson
        case "ramp":
            let r = try body.mapping(allowed: ["from", "to"])
            let from = try r.optional("from")?.double(in: 0...1000) ?? 0
            let to = try r.optional("to")?.double(in: 0...1000) ?? 2
            guard from + to > 0 else { throw body.error("'from' and 'to' (multiples of the base rate) cannot both be 0") }
            return .ramp(from: from, to: to)
        case "diurnal":
            let r = try body.mapping(allowed: ["peak_to_trough", "peak_at"])
            let ratio = try r.optional("peak_to_trough")?.double(in: 1...1000) ?? 3
            let at = try r.optional("peak_at")?.duration() ?? .seconds(14 * 3600)
            return .diurnal(peakToTrough: ratio, peakAt: at)
        default:
            let r = try body.mapping(allowed: ["every", "size", "spread", "start"])
            let everyNode = try r.required("every")
            let every = try everyNode.duration(min: .milliseconds(1))
            let size = try r.required("size").int(in: 1...10_000_000)
            let spreadNode = r["spread"]
            let spread = try r.optional("spread")?.duration() ?? .zero
            let start = try r.optional("start")?.duration() ?? .zero
            guard spread <= every else {
                throw spreadNode.error("the spread (\(DurationFormat.short(spread))) must not exceed the period 'every' (\(DurationFormat.short(every)))")
            }
            guard start < duration else { throw r["start"].error("the first burst must start before the scenario ends") }
            return .bursts(every: every, size: size, spread: spread, start: start)
        }
    }

    static func decodeDuplicates(_ node: ConfigNode) throws(ConfigError) -> DuplicateSpec {
        let m = try node.mapping(allowed: ["rate", "delay", "concurrent"])
        var d = DuplicateSpec(rate: try m.required("rate").percent())
        if let n = m.optional("delay") {
            if n.isScalar, let single = try? n.duration() {
                d.delay = DurationRange(single, single)
            } else {
                d.delay = try n.durationRange()
            }
        }
        if let n = m.optional("concurrent") { d.concurrent = try n.percent() }
        return d
    }

    static func decodePrompts(_ node: ConfigNode) throws(ConfigError) -> [PromptSpec] {
        var out: [PromptSpec] = []
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error("give at least one prompt") }
        guard items.count <= ScenarioLimits.maxPrompts else {
            throw node.error("\(items.count) prompts; at most \(ScenarioLimits.maxPrompts)")
        }
        var total = 0
        for item in items {
            // The size is checked before the text is built, so a huge `repeat` allocates nothing.
            let textNode: ConfigNode
            var text: String
            var copies = 1
            var m: ConfigMapping?
            if item.isScalar {
                textNode = item
                text = try item.nonEmptyString()
            } else {
                let mapping = try item.mapping(allowed: ["text", "weight", "repeat"])
                m = mapping
                textNode = try mapping.required("text")
                text = try textNode.nonEmptyString()
                if let r = mapping.optional("repeat") { copies = try r.int(in: 1...ScenarioLimits.maxRepeat) }
            }
            let size = text.count * copies + (copies - 1)
            guard size <= ScenarioLimits.maxPromptCharacters else {
                throw (m?["repeat"] ?? textNode).error(
                    "the prompt is \(size) characters\(copies > 1 ? " after repeat" : ""); at most \(ScenarioLimits.maxPromptCharacters)")
            }
            total += size
            guard total <= ScenarioLimits.maxPromptsCharacters else {
                throw item.error("the prompts add up to more than \(ScenarioLimits.maxPromptsCharacters) characters")
            }
            guard let m else {
                out.append(PromptSpec(text: text))
                continue
            }
            if copies > 1 { text = Array(repeating: text, count: copies).joined(separator: " ") }
            let weight = try m.optional("weight")?.double(in: 0...1e9) ?? 1
            guard weight > 0 else { throw m["weight"].error("a weight must be above zero") }
            out.append(PromptSpec(text: text, weight: weight))
        }
        return out
    }
}
