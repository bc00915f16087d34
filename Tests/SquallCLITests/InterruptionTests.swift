import Foundation
import LoadGen
import Synchronization
import Testing

@testable import squall

/// The signal controller without real signals: `received(_:)` is what the dispatch source calls.
@Suite struct InterruptionTests {
    final class Exits: Sendable {
        let codes = Mutex<[Int32]>([])
        func record(_ s: Int32) { codes.withLock { $0.append(s) } }
        var all: [Int32] { codes.withLock { $0 } }
    }

    @Test(.timeLimit(.minutes(1)))
    func firstSignalStopsOfferingThenCancelsSecondExits() async throws {
        let exits = Exits()
        let interruption = Interruption(exit: { exits.record($0) })
        let sawStop = Mutex(false)
        let started = Mutex(false)
        let task = Task {
            try await interruption.run(grace: .milliseconds(50)) { () async -> String in
                started.withLock { $0 = true }
                // A driver: offers until asked to stop, then its tasks in flight run until cancelled.
                while !OfferStop.requested { try? await Task.sleep(for: .milliseconds(5)) }
                sawStop.withLock { $0 = true }
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                return "partial result"
            }
        }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(!interruption.interrupted)
        interruption.received(SIGTERM)
        #expect(try await task.value == "partial result")
        #expect(sawStop.withLock { $0 })
        #expect(interruption.signal == SIGTERM)
        #expect(exits.all.isEmpty)
        interruption.received(SIGTERM)
        #expect(exits.all == [SIGTERM])
    }

    @Test func aSignalBeforeTheRunCancelsItAtOnce() async throws {
        let interruption = Interruption(exit: { _ in })
        interruption.received(SIGINT)
        let cancelled = try await interruption.run(grace: .zero) { () async -> Bool in
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            return Task.isCancelled
        }
        #expect(cancelled)
    }

    @Test func theInterruptedExitCodeIsOutsideZeroToThreeAndTheShellsSignalCodes() {
        #expect(InterruptedExit.code == 4)
        #expect(Interruption.name(SIGINT) == "SIGINT" && Interruption.name(SIGTERM) == "SIGTERM")
    }
}
