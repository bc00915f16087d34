import Reliability
import Traffic
import YAMLConfig

/// Decodes the `load:` section onto the one arrival schedule (`Traffic.ArrivalSchedule`); every
/// parameter means what the `squall load` flag of the same name means (docs/sim.md, "Arrivals").
enum LoadDecoding {
    static let keys = ["tasks_per_day", "rate", "arrival", "process", "duplicates", "prompts", "concurrency", "stream"]
    static let arrivals = ["constant", "poisson", "ramp", "diurnal", "bursts"]
    /// Most originals a run may expect: the simulator's measured ceiling (memory is flat in the task
    /// count: `squall run` at 50M tasks peaks at 42 MB, 101 s of CPU; BENCHMARKS.md, "Simulator vs SimPy").
    static let maxTasks = 50_000_000.0

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
        let rateSource = perDay ?? rateNode
        let arrivalNode = m["arrival"]
        let kind = try arrivalKind(arrivalNode)
        var process: ArrivalProcess = kind.name == "constant" ? .even : .poisson
        if let p = m.optional("process") { process = ArrivalProcess(rawValue: try p.oneOf(["even", "poisson"]))! }

        func requiredRate() throws(ConfigError) -> Double {
            guard let rate else {
                throw m.owner.error("missing required field 'tasks_per_day' (or 'rate', e.g. 2/s)")
            }
            guard rate > 0 else { throw (rateSource ?? m.owner).error("the rate must be above zero") }
            return rate
        }
        let shape: ArrivalShape
        switch kind.name {
        case "constant", "poisson":
            if let body = kind.body { _ = try body.mapping(allowed: []) }
            shape = .constant(rate: try requiredRate())
        case "ramp":
            let r = try kind.body.map { (b) throws(ConfigError) in try b.mapping(allowed: ["from", "over"]) }
            let to = try requiredRate()
            let from = try r?.optional("from")?.rate() ?? 0
            let over = try r?.optional("over")?.duration(min: .milliseconds(1)) ?? duration
            shape = .ramp(from: from, to: to, over: over)
        case "diurnal":
            let r = try kind.body.map { (b) throws(ConfigError) in try b.mapping(allowed: ["peak_factor", "peak_at", "start_at"]) }
            let perSecond = try requiredRate()
            let factor = try r?.optional("peak_factor")?.double(in: 1...24) ?? 2
            let peakAt = try r?.optional("peak_at")?.duration() ?? .seconds(14 * 3600)
            let startAt = try r?.optional("start_at")?.duration() ?? .zero
            for (key, v) in [("peak_at", peakAt), ("start_at", startAt)] where v >= .seconds(86_400) {
                throw r![key].error("'\(key)' is a time of day: below 24h, got \(DurationFormat.short(v))")
            }
            shape = .diurnal(tasksPerDay: perSecond * 86_400, peakFactor: factor, peakAt: peakAt, startAt: startAt)
        default:
            guard let body = kind.body else {
                throw arrivalNode.error("'bursts' needs its parameters, e.g. { bursts: { every: 10m, size: 100 } }")
            }
            let r = try body.mapping(allowed: ["every", "size", "length", "start"])
            let every = try r.required("every").duration(min: .milliseconds(1))
            let size = try r.required("size").int(in: 1...10_000_000)
            let length = try r.optional("length")?.duration() ?? .zero
            let start = try r.optional("start")?.duration() ?? .zero
            guard start + length <= every else {
                throw (r.optional("start") ?? r["length"]).error(
                    "a burst must fit in its period: start (\(DurationFormat.short(start))) + length (\(DurationFormat.short(length))) must be at most 'every' (\(DurationFormat.short(every)))")
            }
            guard start < duration else { throw r["start"].error("the first burst must start before the scenario ends") }
            if let rate, rate < 0 { throw (rateSource ?? m.owner).error("the rate between bursts must not be negative") }
            shape = .bursts(Bursts(every: every, size: Double(size), length: length, start: start, base: rate ?? 0))
        }
        let schedule: ArrivalSchedule
        do { schedule = try ArrivalSchedule(shape, process: process) } catch {
            throw arrivalNode.error(error.message)
        }
        let expected = schedule.expectedCount(in: duration)
        guard expected <= maxTasks else {
            throw (rateSource ?? arrivalNode).error(
                "\(Int(expected)) tasks over the duration is too many (at most \(Int(maxTasks)) per run)")
        }
        var spec = LoadSpec(arrival: schedule, duration: duration)
        if let d = m.optional("duplicates") { spec.duplicates = try decodeDuplicates(d) }
        if let p = m.optional("prompts") { spec.prompts = try decodePrompts(p) }
        if let c = m.optional("concurrency") { spec.concurrency = try c.int(in: 1...1_000_000) }
        if let s = m.optional("stream") { spec.stream = try s.bool() }
        return spec
    }

    /// The arrival shape's name and its parameter mapping (nil when written as a bare name or absent).
    static func arrivalKind(_ node: ConfigNode) throws(ConfigError) -> (name: String, body: ConfigNode?) {
        if node.isNull { return ("poisson", nil) }
        if node.isScalar { return (try node.oneOf(arrivals), nil) }
        let m = try node.mapping(allowed: arrivals)
        guard m.keys.count == 1, let kind = m.keys.first else {
            throw node.error("give exactly one arrival shape: one of \(arrivals.joined(separator: ", "))")
        }
        return (kind, m.optional(kind))
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
