// squall-sim-bench: times one simulator run of a scenario file, the way `squall run` runs it
// (simulation + evaluation of expectations), with or without streaming tasks.csv, so that
// Benchmarks/sim/run.sh can compare like with like against the SimPy model (which writes no
// per-task file) and state separately what tasks.csv costs. Not part of the squall CLI.
//
// Usage: squall-sim-bench FILE [--tasks-csv PATH] [--seed N]
// Prints one line: submissions=… cpu_s=… wall_s=… held=…/… incomplete=…

import Foundation
import Scenarios

#if canImport(Glibc)
    import Glibc
#endif

func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("squall-sim-bench: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let file = arguments.first, !file.hasPrefix("--") else { fail("usage: squall-sim-bench FILE [--tasks-csv PATH] [--seed N]") }
arguments.removeFirst()
var tasksCSV: String?
var options = SimulationOptions()
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard let value = arguments.first else { fail("\(flag) needs a value") }
    arguments.removeFirst()
    switch flag {
    case "--tasks-csv": tasksCSV = value
    case "--seed":
        guard let seed = UInt64(value) else { fail("--seed: '\(value)' is not a number") }
        options.seed = seed
    default: fail("unknown flag \(flag)")
    }
}
let scenario: Scenario
do { scenario = try ScenarioLoader.load(path: file) } catch { fail(error.description) }

let clock = ContinuousClock()
let wallStarted = clock.now
let cpuStarted = processCPUSeconds()
var result: ScenarioResult
do {
    let simulator = Simulator(scenario: scenario, options: options)
    result = try tasksCSV.map { try simulator.run(tasksCSV: $0) } ?? simulator.run()
} catch { fail("\(error)") }
ExpectationEvaluator.evaluate(scenario, &result)
let cpu = processCPUSeconds() - cpuStarted
let wall = (clock.now - wallStarted) / .seconds(1)
let held = result.expectations.filter(\.passed).count
print(
    "submissions=\(result.totals.submitted) cpu_s=\(String(format: "%.3f", cpu)) wall_s=\(String(format: "%.3f", wall)) "
        + "held=\(held)/\(result.expectations.count) incomplete=\(result.incomplete)")
