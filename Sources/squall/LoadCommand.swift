import ArgumentParser
import CommandFlags
import Foundation
import LoadGen
import Logging

/// `squall load`: ad-hoc load against a raw OpenAI-compatible endpoint, the in-process stack, or a
/// task service; prints counts, attempts, latency from the intended start and scheduler lag. The
/// flags and their checks are `LoadArguments` (module LoadGen).
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Offer load to an LLM endpoint, the in-process stack, or a task service.",
        discussion: """
            Open loop (--rate, --tasks-per-day) sends each task at its intended start and measures latency from \
            it; closed loop (--concurrency) runs C users back to back. --time-scale K compresses scenario time \
            K-fold (rates ×K, durations ÷K); reports speak scenario time, scheduler lag is real time. \
            SIGINT/SIGTERM stops offering load, lets tasks in flight finish for --grace, prints the summary \
            marked interrupted and exits 4; a second signal exits at once.
            """)

    @OptionGroup var arguments: LoadArguments

    func run() async throws {
        var options = try arguments.options()
        options.progress = true
        var logger = Logger(label: "squall.load", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = try arguments.logLevelOption.value(default: .warning)
        let grace = try FlagCheck.duration(arguments.grace, flag: "--grace")
        let interruption = Interruption()
        interruption.install()

        let client: CurlLoadClient
        do { client = try CurlLoadClient(maxConnections: arguments.connections) } catch { throw RunFailure(message: error.description) }
        let outcome: Result<LoadRunResult, LoadError>
        do {
            let runOptions = options
            let log = logger
            outcome = try await interruption.run(grace: grace) { () async -> Result<LoadRunResult, LoadError> in
                do throws(LoadError) {
                    return .success(try await LoadRun.run(runOptions, client: client, logger: log))
                } catch { return .failure(error) }
            }
        }
        await client.shutdown()
        switch outcome {
        case .success(let result):
            if let signo = interruption.signal {
                print("interrupted by \(Interruption.name(signo)): the figures cover the tasks offered before it")
            }
            print(result.summary.render())
        case .failure(let error):
            if let signo = interruption.signal { throw ExitCode(128 + signo) }
            switch error {
            case .invalidOptions(let m): throw UsageError(message: m)
            case .unreachable(let m), .output(let m): throw RunFailure(message: m)
            }
        }
        if interruption.interrupted { throw ExitCode(InterruptedExit.code) }
    }
}
