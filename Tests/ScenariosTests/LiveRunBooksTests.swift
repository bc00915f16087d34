import Reliability
import Testing

@testable import Scenarios

/// What a live run keeps per key (`LiveKeyBook`) stays bounded by the keys in flight, and the
/// reference service's breaker transitions reach the run's recorder at the replica's own instants
/// (`BreakerRelay`).
@Suite struct LiveRunBooksTests {
    static let info = CallLogFeeder.KeyInfo(task: 0, route: 0)

    @Test func twoHundredThousandKeysPassThroughABookThatHoldsOnlyTheOnesInFlight() {
        // 200,000 originals, 50 in flight at a time, one read of the call log every 100 keys and a
        // horizon of 10 steps of 1 ms: the book never holds more than the keys in flight plus those
        // finished within the horizon, and forgets every key by the end.
        var book = LiveKeyBook(horizon: .milliseconds(10))
        var now = Duration.zero
        for k in 0..<200_000 {
            book.register(keyID: k, info: Self.info, submissions: 1)
            if k >= 50 { book.ended(keyID: k - 50, at: now) }
            if k % 100 == 0 {
                let read = book.readStarted()
                now += .milliseconds(1)
                _ = book.readCompleted(read, now: now)
            }
        }
        for k in (200_000 - 50)..<200_000 { book.ended(keyID: k, at: now) }
        now += .seconds(1)
        let last = book.readStarted()
        _ = book.readCompleted(last, now: now)
        #expect(book.count == 0)
        #expect(book.forgotten == 200_000)
        // In flight (50) + finished within 10 ms (10 reads of 100 keys) + the read in progress (100).
        #expect(book.peak <= 50 + 1_100 + 100)
    }

    @Test func aKeyIsForgottenOnlyAfterItsLastSubmissionAndAReadThatStartedLater() {
        var book = LiveKeyBook(horizon: .zero)
        book.register(keyID: 7, info: Self.info, submissions: 2)  // an original and one duplicate
        book.keepReply(0xABC, of: 7)
        book.ended(keyID: 7, at: .zero)  // the original ended; its duplicate is still to come
        var read = book.readStarted()
        #expect(book.readCompleted(read, now: .seconds(1)) == [])
        #expect(book.keys[7] != nil && book.reply(of: 7) == 0xABC)
        // A read that started before the last submission ended does not forget the key…
        read = book.readStarted()
        book.ended(keyID: 7, at: .seconds(1))
        #expect(book.reply(of: 7) == nil)
        #expect(book.readCompleted(read, now: .seconds(2)) == [])
        #expect(book.keys[7] != nil)
        // …the next one does.
        read = book.readStarted()
        #expect(book.readCompleted(read, now: .seconds(3)) == [7])
        #expect(book.keys[7] == nil && book.forgotten == 1)
    }

    @Test func aFinishedKeyStaysKnownForTheHorizon() {
        // A foreign service may still call the LLM for a task Squall stopped polling: its calls keep
        // their attribution for `horizon` of real time.
        var book = LiveKeyBook(horizon: .seconds(30))
        book.register(keyID: 1, info: Self.info, submissions: 1)
        book.ended(keyID: 1, at: .seconds(10))
        var read = book.readStarted()
        #expect(book.readCompleted(read, now: .seconds(39)) == [])
        read = book.readStarted()
        #expect(book.readCompleted(read, now: .seconds(40)) == [1])
    }

    @Test func breakerTransitionsReachTheRecorderAtTheReplicasInstantShiftedOntoTheRun() {
        let relay = BreakerRelay()
        let recorded = RecordedTransitions()
        let open = BreakerTransition(at: .seconds(70), from: .closed, to: .open, cause: .failureThreshold(failures: 5))
        relay.send(open)  // before the run attached: dropped
        relay.start(shift: .seconds(12))
        relay.attach { body in recorded.apply(body) }
        relay.send(open)
        relay.close()
        relay.send(BreakerTransition(at: .seconds(80), from: .open, to: .halfOpen, cause: .recoveryTimeoutElapsed))
        let t = recorded.transitions
        #expect(t.count == 1)
        #expect(t.first?.at == 58 && t.first?.from == "closed" && t.first?.to == "open")
        #expect(t.first?.cause == "5 failures in window")
    }
}

/// Collects the breaker transitions applied to a recorder.
final class RecordedTransitions: @unchecked Sendable {
    private(set) var transitions: [BreakerTransitionRecord] = []
    func apply(_ body: (inout ResultRecorder) -> Void) {
        var recorder = ResultRecorder(
            ResultRecorder.Setup(
                info: ScenarioInfo(
                    name: "t", description: "", file: "", tasksPerDay: 1, arrival: "constant", concurrency: nil, stackSummary: ""),
                mode: .live, seed: 1, duration: .seconds(100), interval: nil, breakerConfigured: true, idempotencyTTL: nil,
                prices: StackConfig().prices, faultWindows: [], needs: ResultNeeds(), routes: [], tasksFile: nil))
        body(&recorder)
        transitions += recorder.finish(end: .seconds(100), incompleteReason: nil).breaker.transitions
    }
}
