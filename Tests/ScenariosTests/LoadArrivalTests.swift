import Foundation
import LoadGen
import Reliability
import Testing
import Traffic

@testable import Scenarios

/// A scenario's `load:` block and `squall load`'s flags build the same `Traffic.ArrivalSchedule`,
/// parameter by parameter, and bad values are rejected at their file:line:column.
@Suite struct LoadArrivalTests {
    func load(_ block: String, duration: String = "1h") throws -> LoadSpec {
        try scenario("name: t\nduration: \(duration)\nload:\n\(block)\n").load
    }

    /// The schedule `squall load --target raw --url … --duration 1h ARGS…` builds.
    func flags(_ args: String...) throws -> ArrivalSchedule {
        try LoadArguments.parse(["--target", "raw", "--url", "http://127.0.0.1:1", "--duration", "1h"] + args).schedule()
    }

    @Test func constantAndPoissonMeanTheSameAsTheirFlags() throws {
        #expect(try load("  rate: 2/s\n  arrival: constant").arrival == flags("--rate", "2/s", "--arrival", "constant"))
        #expect(try load("  rate: 2/s").arrival == flags("--rate", "2/s", "--arrival", "poisson"))
        #expect(try load("  rate: 2/s\n  arrival: poisson\n  process: even").arrival == flags("--rate", "2/s", "--arrival", "poisson", "--process", "even"))
    }

    @Test func rampFromAndOverMeanWhatTheFlagsMean() throws {
        let spec = try load("  rate: 10/s\n  arrival: { ramp: { from: 2/s, over: 30m } }")
        let cli = try flags("--rate", "10/s", "--arrival", "ramp", "--ramp-from", "2/s", "--ramp-over", "30m")
        #expect(spec.arrival == cli)
        #expect(spec.arrival.shape == .ramp(from: 2, to: 10, over: .seconds(1800)))
        // Mean over the hour: 30 min averaging 6/s, then 30 min at 10/s.
        #expect(abs(spec.ratePerSecond - 8) < 1e-9)
        // Without `over`, the ramp lasts the scenario, as --ramp-over defaults to --duration.
        #expect(try load("  rate: 10/s\n  arrival: ramp").arrival == flags("--rate", "10/s", "--arrival", "ramp"))
    }

    @Test func diurnalParametersMeanWhatTheFlagsMean() throws {
        let spec = try load("  tasks_per_day: 86400\n  arrival: { diurnal: { peak_factor: 3, peak_at: 9h, start_at: 6h } }")
        let cli = try flags(
            "--tasks-per-day", "86400", "--arrival", "diurnal", "--peak-factor", "3", "--peak-at", "9h", "--start-at", "6h")
        #expect(spec.arrival == cli)
    }

    @Test func burstsAreSizeEveryLengthAndStartOnTopOfTheRate() throws {
        let spec = try load("  rate: 1/s\n  arrival: { bursts: { every: 5m, size: 3000, length: 30s, start: 270s } }")
        // squall load --rate 1/s --burst-rate 100/s --burst-every 5m --burst-length 30s: the same bursts.
        let cli = try flags("--rate", "1/s", "--arrival", "bursts", "--burst-rate", "100/s")
        #expect(spec.arrival == cli)
        let instant = try load("  arrival: { bursts: { every: 10m, size: 100 } }\n  process: even", duration: "30m")
        #expect(instant.arrival.shape == .bursts(Bursts(every: .seconds(600), size: 100)))
        #expect(abs(instant.ratePerSecond * 1800 - 300) < 1e-9)
    }

    @Test func badArrivalParametersNameTheirPlace() {
        let unit = loadError("name: t\nduration: 1h\nload:\n  rate: 2/s\n  arrival: { ramp: { from: 0.5 } }\n")
        #expect(unit?.path == "load.arrival.ramp.from")
        #expect(unit?.line == 5 && unit?.column == 28)
        let old = loadError("name: t\nduration: 1h\nload:\n  rate: 2/s\n  arrival: { diurnal: { peak_to_trough: 3 } }\n")
        #expect(old?.path == "load.arrival.diurnal.peak_to_trough")
        #expect(old?.message.contains("peak_factor") == true)
        let factor = loadError("name: t\nduration: 1h\nload:\n  rate: 2/s\n  arrival: { diurnal: { peak_factor: 30 } }\n")
        #expect(factor?.path == "load.arrival.diurnal.peak_factor")
        let fit = loadError("name: t\nduration: 1h\nload:\n  arrival: { bursts: { every: 1m, size: 5, length: 40s, start: 30s } }\n")
        #expect(fit?.path == "load.arrival.bursts.start")
        #expect(fit?.line == 4)
        #expect(fit?.message.contains("must fit in its period") == true)
        let process = loadError("name: t\nduration: 1h\nload:\n  rate: 2/s\n  process: evenly\n")
        #expect(process?.path == "load.process")
        #expect(process?.suggestion == "even")
        let missing = loadError("name: t\nduration: 1h\nload:\n  arrival: ramp\n")
        #expect(missing?.message.contains("tasks_per_day") == true)
        let tooMany = loadError("name: t\nduration: 7d\nload:\n  tasks_per_day: 10000000\n")
        #expect(tooMany?.path == "load.tasks_per_day")
        #expect(tooMany?.message.contains("too many") == true)
    }
}
