import Testing
import YAMLConfig

@testable import Scenarios

/// The VALUES grammar of `--vary PATH=VALUES` and `sweep.vary`, and parameter paths.
@Suite struct SweepGrammarTests {
    func parse(_ text: String) throws -> SweepValues { try SweepValues.parse(text) }

    func message(_ text: String) -> String? {
        do {
            _ = try SweepValues.parse(text)
            return nil
        } catch { return error.message }
    }

    @Test func listsKeepTheirOrderAndRefuseEmptyOrRepeatedValues() throws {
        #expect(try parse("none,full,equal").values == ["none", "full", "equal"])
        #expect(try parse(" 3 , 5,8").values == ["3", "5", "8"])
        #expect(try parse("1s").values == ["1s"])
        #expect(message("3,,5")?.contains("empty value") == true)
        #expect(message("full,full")?.contains("listed twice") == true)
        #expect(message("")?.contains("no values given") == true)
    }

    @Test func rangesEnumerateInTheirOwnKind() throws {
        #expect(try parse("2..8").values == ["2", "3", "4", "5", "6", "7", "8"])
        #expect(try parse("2..8/3").values == ["2", "5", "8"])
        #expect(try parse("1s..10s/3s").values == ["1s", "4s", "7s", "10s"])
        #expect(try parse("250ms..1s/250ms").values == ["250ms", "500ms", "750ms", "1s"])
        #expect(try parse("0.5..2/0.5").values == ["0.5", "1", "1.5", "2"])
        #expect(try parse("1%..3%/0.5%").values == ["1%", "1.5%", "2%", "2.5%", "3%"])
        #expect(try parse("30s..2m/30s").values == ["30s", "1m", "90s", "2m"])
        // A step that does not land on the end stops below it.
        #expect(try parse("1..10/4").values == ["1", "5", "9"])
    }

    @Test func rangeErrorsSayWhatIsWrong() {
        #expect(message("1s..10s")?.contains("give a step") == true)
        #expect(message("0.5..2")?.contains("give a step") == true)
        #expect(message("8..2")?.contains("above the end") == true)
        #expect(message("1s..5%/1s")?.contains("same kind") == true)
        #expect(message("1..5/0")?.contains("above zero") == true)
        #expect(message("1s..10s/1")?.contains("the step is a whole number but the range holds durations") == true)
        #expect(message("a..b")?.contains("not a number, duration or percentage") == true)
        #expect(message("1..100000")?.contains("at most 1000") == true)
    }

    @Test func distributionsMapTheUnitIntervalOntoTheirValues() throws {
        guard case .distribution(let u) = try parse("uniform(1s,10s)") else {
            Issue.record("not a distribution")
            return
        }
        #expect(u.value(at: 0) == "1s" && u.value(at: 0.5) == "5.5s" && u.value(at: 0.999999999) == "10s")
        guard case .distribution(let l) = try parse("loguniform(100ms,10s)") else {
            Issue.record("not a distribution")
            return
        }
        #expect(l.value(at: 0) == "100ms" && l.value(at: 0.5) == "1s")
        guard case .distribution(let i) = try parse("int(2,8)") else {
            Issue.record("not a distribution")
            return
        }
        #expect(i.value(at: 0) == "2" && i.value(at: 0.5) == "5" && i.value(at: 0.99) == "8")
        guard case .distribution(let c) = try parse("choice(none,full,equal)") else {
            Issue.record("not a distribution")
            return
        }
        #expect(c.value(at: 0.1) == "none" && c.value(at: 0.5) == "full" && c.value(at: 0.9) == "equal")
        guard case .distribution(let p) = try parse("uniform(1%,5%)") else {
            Issue.record("not a distribution")
            return
        }
        #expect(p.value(at: 0.5) == "3%")
        #expect(try parse("uniform(1s,10s)").values == nil)
    }

    @Test func distributionErrorsNameTheForm() {
        #expect(message("unifrm(1s,2s)")?.contains("did you mean 'uniform'") == true)
        #expect(message("uniform(1s)")?.contains("takes two bounds") == true)
        #expect(message("uniform(5s,1s)")?.contains("lower bound must be below") == true)
        #expect(message("loguniform(0s,1s)")?.contains("above zero") == true)
        #expect(message("int(2.5,8)")?.contains("two whole numbers") == true)
        #expect(message("uniform(1s,2%)")?.contains("same kind") == true)
        #expect(message("uniform(1s,2s")?.contains("name(a,b)") == true)
    }

    @Test func listsAndRangesAreChoicesUnderRandomSampling() throws {
        let v = try parse("none,full,equal")
        #expect(v.value(at: 0.0) == "none" && v.value(at: 0.34) == "full" && v.value(at: 0.99) == "equal")
        #expect(v.isCategorical)
        #expect(try !parse("1s..3s/1s").isCategorical)
    }

    @Test func pathsFollowTheLoadersNamesAndStayInScope() throws {
        #expect(try ParameterPath.parse("stack.retry.attempts").description == "stack.retry.attempts")
        #expect(try ParameterPath.parse("llm.faults[2].rate").components == [.key("llm"), .key("faults"), .index(2), .key("rate")])
        #expect(try ParameterPath.parse("load.tasks_per_day").inScope)
        for bad in ["duration", "load.prompts", "llm.latency", "llm.faults[0].status", "stack", "expect.success_rate"] {
            #expect(throws: SweepValuesError.self) { try ParameterPath.parse(bad) }
        }
        #expect(throws: SweepValuesError.self) { try ParameterPath.parse("stack..retry") }
        #expect(throws: SweepValuesError.self) { try ParameterPath.parse("llm.faults[x].rate") }
    }

    @Test func aFlagErrorNamesTheFlag() {
        do {
            _ = try SweepParameter.parseFlag("stack.retry.attempts=1s..5s")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("--vary stack.retry.attempts=1s..5s: "))
            #expect(error.description.contains("give a step"))
        }
        do {
            _ = try SweepParameter.parseFlag("stack.retry.attempts")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("expected PATH=VALUES"))
        }
    }
}
