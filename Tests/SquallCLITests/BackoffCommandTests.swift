import Reliability
import Testing

@testable import squall

@Suite struct BackoffCommandTests {
    func table(
        attempts: Int = 5, multiplier: Double = 1, min: String = "1s", max: String = "60s", jitter: String = "none",
        retryAfter: String? = nil
    ) throws -> BackoffTable {
        try BackoffTable.make(
            attempts: attempts, multiplier: multiplier, base: 2, min: min, max: max, jitter: jitter, seed: 1,
            retryAfter: retryAfter, retryAfterCap: "60s")
    }

    @Test func printsTheTenacitySchedule() throws {
        let t = try table()
        #expect(t.rows.map(\.delay) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(t.rows.map(\.cumulative) == [.seconds(1), .seconds(3), .seconds(7), .seconds(15)])
        let text = t.render()
        #expect(text.contains("      5           8s              15s\n"))
        #expect(text.contains("5 attempts, 4 retries, 15s of waiting"))
    }

    @Test func retryAfterReplacesTheBackoff() throws {
        #expect(try table(retryAfter: "2s").rows.map(\.delay) == Array(repeating: .seconds(2), count: 4))
    }

    @Test func badFlagsNameTheFlagAndWhatIsValid() {
        #expect { try table(min: "fast") } throws: { ($0 as? UsageError)?.message.hasPrefix("--min 'fast': expected a duration") == true }
        #expect { try table(jitter: "fulll") } throws: {
            ($0 as? UsageError)?.message == "--jitter fulll: expected one of none, full, equal, decorrelated"
        }
        #expect { try table(attempts: 0) } throws: { ($0 as? UsageError)?.message.contains("from 1 to 1000") == true }
        #expect { try table(min: "10s", max: "1s") } throws: { ($0 as? UsageError)?.message.contains("greater than --max") == true }
    }
}
