import Foundation
import Reliability

#if canImport(Glibc)
    import Glibc
#endif

/// The live progress line on stderr: done/total, rate, failures by cause, breaker state, ETA.
/// Shown only when stderr is a terminal.
public enum ProgressLine {
    /// Whether stderr is a terminal.
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// One rendering of the line (no carriage return).
    public static func render(
        done: Int, total: Int?, elapsed: Duration, failures: [FailureCause: Int], breaker: BreakerState?
    ) -> String {
        let secs = max(elapsed.seconds, 1e-9)
        let rate = Double(done) / secs
        var line = total.map { "\(done)/\($0)" } ?? "\(done)"
        line += String(format: " done  %.1f/s", rate)
        let failed = failures.values.reduce(0, +)
        if failed > 0 {
            line +=
                "  failed \(failed) ("
                + failures.sorted { $0.value > $1.value }.prefix(3).map { "\($0.key.rawValue) \($0.value)" }.joined(
                    separator: ", ") + ")"
        }
        if let breaker { line += "  breaker \(breaker.rawValue)" }
        if let total, rate > 0, done < total {
            line += "  ETA " + DurationFormat.short(.seconds(Int64((Double(total - done) / rate).rounded(.up))))
        }
        return line
    }

    /// Starts refreshing the line every `interval` (real time) while the returned task runs; cancel
    /// it to stop (it then ends the line). Does nothing when stderr is not a terminal.
    public static func start(
        recorder: LoadRecorder, total: Int?, target: any LoadTarget, interval: Duration = .milliseconds(500)
    ) -> Task<Void, Never>? {
        guard stderrIsTerminal else { return nil }
        let started = ContinuousClock.now
        return Task.detached {
            while !Task.isCancelled {
                let line = render(
                    done: recorder.done, total: total, elapsed: started.duration(to: .now),
                    failures: recorder.failuresByCause, breaker: target.breakerState)
                FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
                do { try await Task.sleep(for: interval) } catch { break }
            }
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        }
    }
}
