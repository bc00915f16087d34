import Foundation

/// A generator of malformed scenario files, one family per category of bad input the loader must
/// refuse with exit 2 and a message naming the place: YAML syntax, types, sizes, aliases,
/// durations, rates, percentages, names, missing and unknown keys.
enum MalformedScenarios {
    /// One malformed file and what its error must say.
    struct Case: Sendable, CustomStringConvertible {
        /// Category and a short label.
        var category: String
        var label: String
        /// The file's bytes.
        var bytes: [UInt8]
        /// Text the error must contain (the field path, the limit, what is wrong).
        var mustSay: [String]
        /// Whether the error must carry a line and column (every error at a node does).
        var located = true
        var description: String { "\(category)/\(label)" }
    }

    /// A valid scenario with `body` lines replacing the defaults.
    static func scenario(name: String = "robust", duration: String = "1h", load: String = "{ rate: 1/s }", extra: String = "") -> String {
        "name: \(name)\nduration: \(duration)\nload: \(load)\n" + extra
    }

    static func text(_ category: String, _ label: String, _ yaml: String, _ mustSay: String..., located: Bool = true) -> Case {
        Case(category: category, label: label, bytes: Array(yaml.utf8), mustSay: mustSay, located: located)
    }

    /// Every case, in category order.
    static var all: [Case] { syntax + types + sizes + aliases + durations + rates + percentages + names + keys }

    static var syntax: [Case] {
        [
            text("syntax", "unclosed flow mapping", "name: x\nduration: 1h\nload: { rate: 1/s\n", "YAML syntax error"),
            text("syntax", "bad indentation", "name: x\n  duration: 1h\nload: { rate: 1/s }\n", "YAML syntax error"),
            text("syntax", "unterminated quote", "name: \"x\nduration: 1h\n", "YAML syntax error"),
            text("syntax", "duplicate key", "name: x\nname: y\nduration: 1h\nload: { rate: 1/s }\n", "duplicate key 'name'"),
            text("syntax", "a list at the top", "- name: x\n", "expected a mapping"),
            text("syntax", "empty document", "", "expected a mapping", located: false),
            text("syntax", "undefined alias", scenario(extra: "description: *nothing\n"), "YAML syntax error"),
            Case(category: "syntax", label: "not UTF-8", bytes: Array("name: ".utf8) + [0xFF, 0xFE, 0x0A], mustSay: ["not valid UTF-8"], located: false),
            Case(
                category: "syntax", label: "binary garbage", bytes: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) },
                mustSay: [], located: false),
        ]
    }

    static var types: [Case] {
        [
            text("types", "seed negative", scenario(extra: "seed: -1\n"), "seed", "non-negative whole number"),
            text("types", "attempts a word", scenario(extra: "stack: { retry: { attempts: many } }\n"), "stack.retry.attempts", "whole number"),
            text("types", "rate a list", scenario(load: "{ rate: [1] }"), "load.rate"),
            text("types", "expect a list", scenario(extra: "expect: [1, 2]\n"), "expect", "expected a mapping"),
            text("types", "prompts a mapping", scenario(load: "{ rate: 1/s, prompts: { a: 1 } }"), "load.prompts", "expected a list"),
            text("types", "concurrency zero", scenario(load: "{ rate: 1/s, concurrency: 0 }"), "load.concurrency", "out of range"),
        ]
    }

    static var sizes: [Case] {
        let long = String(repeating: "x", count: 1000)
        return [
            text(
                "sizes", "2 MiB document", scenario(extra: "description: \"" + String(repeating: "y", count: 2 << 20) + "\"\n"),
                "bytes; at most 1048576", located: false),
            text("sizes", "repeat beyond the limit", scenario(load: "{ rate: 1/s, prompts: [ { text: \"\(long)\", repeat: 1000000 } ] }"), "load.prompts[0].repeat", "out of range"),
            text("sizes", "one prompt of a million characters", scenario(load: "{ rate: 1/s, prompts: [ { text: \"\(long)\", repeat: 1001 } ] }"), "load.prompts[0].repeat", "at most 1000000"),
            text(
                "sizes", "prompts adding up past the limit",
                scenario(load: "{ rate: 1/s, prompts: [" + Array(repeating: "{ text: \"\(long)\", repeat: 900 }", count: 5).joined(separator: ", ") + "] }"),
                "add up to more than 4000000"),
            text("sizes", "too many prompts", scenario(load: "{ rate: 1/s, prompts: [" + Array(repeating: "a", count: 1001).joined(separator: ", ") + "] }"), "load.prompts", "at most 1000"),
        ]
    }

    static var aliases: [Case] {
        let long = String(repeating: "z", count: 1000)
        // The case: ten aliases to one prompt of 1,000 characters repeated a million times.
        let tenAliases =
            "name: robust\nduration: 1h\nload:\n  rate: 1/s\n  prompts:\n    - &p { text: \"\(long)\", repeat: 1000000 }\n"
            + String(repeating: "    - *p\n", count: 9)
        // A "billion laughs": nine levels of ten aliases each.
        var laughs = "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for i in 1..<9 {
            laughs += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let manyUses = scenario(extra: "description: &d hello\n") + "expect: {}\n" + "x: [" + Array(repeating: "*d", count: 1100).joined(separator: ", ") + "]\n"
        return [
            text("aliases", "ten aliases to a huge repeat", tenAliases, "load.prompts[0].repeat"),
            text("aliases", "billion laughs", laughs, "after expansion"),
            text("aliases", "more than 1000 alias uses", manyUses, "alias uses"),
        ]
    }

    static var durations: [Case] {
        [
            text("durations", "negative duration", scenario(duration: "-1h"), "duration"),
            text("durations", "zero duration", scenario(duration: "0s"), "duration", "at least 1ms"),
            text("durations", "over a year", scenario(duration: "400d"), "duration", "at most 366d"),
            text("durations", "not a duration", scenario(duration: "1h30"), "duration"),
            text("durations", "negative timeout", scenario(extra: "stack: { timeout: -5s }\n"), "stack.timeout"),
        ]
    }

    static var rates: [Case] {
        [
            text("rates", "more tasks than the simulator takes", scenario(duration: "1d", load: "{ rate: 1e12/s }"), "load.rate", "too many"),
            text("rates", "negative rate", scenario(load: "{ rate: -5/s }"), "load.rate"),
            text("rates", "zero rate", scenario(load: "{ rate: 0/s }"), "load.rate", "above zero"),
            text("rates", "tasks per day beyond the limit", scenario(load: "{ tasks_per_day: 1e13 }"), "load.tasks_per_day"),
            text("rates", "rate without a unit", scenario(load: "{ rate: fast }"), "load.rate"),
        ]
    }

    static var percentages: [Case] {
        [
            text("percentages", "duplicates over 100%", scenario(load: "{ rate: 1/s, duplicates: { rate: 150% } }"), "load.duplicates.rate", "exceeds 100%"),
            text("percentages", "negative duplicates", scenario(load: "{ rate: 1/s, duplicates: { rate: -5% } }"), "load.duplicates.rate", "below 0%"),
            text("percentages", "threshold over 100%", scenario(extra: "expect: { success_rate: \">= 150%\" }\n"), "expect.success_rate", "exceeds 100%"),
            text("percentages", "fraction over 1", scenario(load: "{ rate: 1/s, duplicates: { rate: 1.5 } }"), "load.duplicates.rate", "exceeds 1"),
            text("percentages", "not a number", scenario(load: "{ rate: 1/s, duplicates: { rate: 0.5.5 } }"), "load.duplicates.rate"),
        ]
    }

    static var names: [Case] {
        [
            text("names", "5000 characters", scenario(name: String(repeating: "n", count: 5000)), "name", "at most 100"),
            text("names", "a path", scenario(name: "../etc"), "name", "not valid"),
            text("names", "a slash", scenario(name: "a/b"), "name", "not valid"),
            text("names", "hidden", scenario(name: ".hidden"), "name", "not valid"),
            text("names", "not ASCII", scenario(name: "名前"), "name", "not valid"),
            text("names", "empty", scenario(name: "\"\""), "name"),
        ]
    }

    static var keys: [Case] {
        [
            text("keys", "no name", "duration: 1h\nload: { rate: 1/s }\n", "missing required field 'name'"),
            text("keys", "no duration", "name: x\nload: { rate: 1/s }\n", "missing required field 'duration'"),
            text("keys", "no load", "name: x\nduration: 1h\n", "missing required field 'load'"),
            text("keys", "unknown top-level key", scenario(extra: "lod: 1\n"), "unknown key 'lod'"),
            text("keys", "unknown nested key", scenario(extra: "stack: { retry: { atempts: 3 } }\n"), "stack.retry.atempts", "did you mean 'attempts'"),
        ]
    }
}
