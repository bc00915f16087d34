import Reliability
import Testing

@testable import YAMLConfig

@Suite struct ConfigNodeTests {
    let yaml = """
        name: demo
        stack:
          retry:
            attempts: 5
            mulitplier: 2
          timeout: 30s
        load:
          rate: 10/s
          window: 20m..25m
          share: 2%
        """

    @Test func unknownKeysNameFileLineColumnAndSuggest() throws {
        let root = try ConfigNode.parse(yaml, file: "demo.yaml")
        let stack = try root.mapping(allowed: ["name", "stack", "load"])["stack"]
        let retry = try stack.mapping(allowed: ["retry", "timeout"])["retry"]
        do {
            _ = try retry.mapping(allowed: ["attempts", "multiplier", "min", "max"])
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "demo.yaml" && error.line == 5 && error.column == 5)
            #expect(error.path == "stack.retry.mulitplier")
            #expect(error.suggestion == "multiplier")
            #expect(error.description.hasPrefix("demo.yaml:5:5: stack.retry.mulitplier: unknown key 'mulitplier'"))
        }
    }

    @Test func typedAccessorsParseQuantities() throws {
        let root = try ConfigNode.parse(yaml, file: "demo.yaml").mapping(allowed: ["name", "stack", "load"])
        let load = try root["load"].mapping(allowed: ["rate", "window", "share"])
        #expect(try load["rate"].rate() == 10)
        #expect(try load["window"].durationRange() == DurationRange(.seconds(1200), .seconds(1500)))
        #expect(try load["share"].percent() == 0.02)
        let stack = try root["stack"].mapping(allowed: ["retry", "timeout"])
        #expect(try stack["timeout"].duration() == .seconds(30))
    }

    @Test func wrongTypesAndRangesPointAtTheValue() throws {
        let root = try ConfigNode.parse("attempts: lots\nratio: 7\nmode: fulll\n", file: "f.yaml").mapping(allowed: ["attempts", "ratio", "mode"])
        #expect(throws: ConfigError.self) { try root["attempts"].int(in: 1...10) }
        do { _ = try root["attempts"].int(in: 1...10) } catch {
            #expect(error.line == 1 && error.column == 11 && error.message.contains("from 1 to 10"))
        }
        do { _ = try root["ratio"].int(in: 1...5) } catch { #expect(error.message.contains("out of range")) }
        do { _ = try root["mode"].oneOf(["none", "full", "equal"]) } catch {
            #expect(error.suggestion == "full" && error.line == 3)
        }
    }

    @Test func missingRequiredFieldsPointAtTheirParent() throws {
        let root = try ConfigNode.parse("stack:\n  timeout: 1s\n", file: "f.yaml").mapping(allowed: ["stack"])
        let stack = try root["stack"].mapping(allowed: ["timeout", "retry"])
        do { _ = try stack.required("retry") } catch {
            #expect(error.path == "stack.retry" && error.message.contains("missing required field"))
            #expect(error.line == 2)
        }
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        do {
            _ = try ConfigNode.parse("a: [1, 2\nb: 3\n", file: "bad.yaml")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.file == "bad.yaml" && error.line >= 1 && error.message.contains("YAML syntax error"))
        }
    }

    @Test func duplicateKeysAreRejected() throws {
        do {
            _ = try ConfigNode.parse("x: 0\nm:\n  a: 1\n  a: 2\n", file: "d.yaml")
            Issue.record("expected a duplicate-key error")
        } catch {
            #expect(error.file == "d.yaml" && error.line >= 2 && error.message.contains("duplicate key 'a'"))
        }
    }

    @Test func suggestionsOnlyForCloseWords() {
        #expect(closestMatch(to: "recovery_timout", in: ["recovery_timeout", "window"]) == "recovery_timeout")
        #expect(closestMatch(to: "banana", in: ["recovery_timeout", "window"]) == nil)
    }
}
