@testable import MockLLM
import Testing

@Suite struct CallLogTests {
    static func record(_ i: Int) -> CallRecord {
        CallRecord(time: .milliseconds(i), model: "m", outcome: .status(200), completed: true)
    }

    @Test func drainingByCursorLosesAndRepeatsNothing() {
        var log = CallLog(capacity: 100)
        var seen: [UInt64] = []
        var cursor: UInt64 = 0
        var appended = 0
        // Interleave appends and drains of varying sizes; never fall more than the capacity behind.
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 1) * 5 {
                appended += 1
                log.append(Self.record(appended))
            }
            let page = log.page(after: cursor, limit: round % 3 == 0 ? 7 : 1000)
            #expect(page.dropped == 0)
            seen += page.records.map(\.seq)
            cursor = page.next
        }
        while true {
            let page = log.page(after: cursor, limit: 10)
            if page.records.isEmpty { break }
            seen += page.records.map(\.seq)
            cursor = page.next
        }
        #expect(seen == (1...UInt64(appended)).map { $0 })
        #expect(cursor == log.lastSeq)
    }

    @Test func readerThatFallsBehindIsToldHowManyWereDropped() {
        var log = CallLog(capacity: 10)
        for i in 1...25 { log.append(Self.record(i)) }
        #expect(log.count == 10)
        let page = log.page(after: 3, limit: 100)
        #expect(page.dropped == 12)  // 4…15 were overwritten
        #expect(page.records.map(\.seq) == Array(16...25))
        #expect(page.next == 25)
        let again = log.page(after: page.next, limit: 100)
        #expect(again.records.isEmpty)
        #expect(again.dropped == 0)
        #expect(again.next == 25)
    }

    @Test func staleCursorFromBeforeAResetReadsFromTheStart() {
        var log = CallLog(capacity: 10)
        for i in 1...3 { log.append(Self.record(i)) }
        let page = log.page(after: 500, limit: 100)
        #expect(page.records.map(\.seq) == [1, 2, 3])
    }

    @Test func anAppendToAFullLogHandsBackTheRecordItOverwrote() {
        var log = CallLog(capacity: 3)
        var overwritten: [UInt64] = []
        for i in 1...5 {
            var r = Self.record(i)
            log.append(swapping: &r)
            overwritten.append(r.seq)
        }
        #expect(overwritten == [1, 2, 3, 1, 2])  // not full: the record itself (seq given); then the ones overwritten
        #expect(log.page(after: 0, limit: 10).records.map(\.seq) == [3, 4, 5])
        #expect(log.page(after: 0, limit: 10).records.map(\.time) == [.milliseconds(3), .milliseconds(4), .milliseconds(5)])
    }

    @Test func capacityIsClamped() {
        #expect(CallLog(capacity: 0).capacity == 1)
        #expect(CallLog(capacity: Int.max).capacity == CallLog.maxCapacity)
    }
}

@Suite struct CallRecordSizeTests {
    /// The documented memory of the call log (docs/mock.md: about 230 bytes a record) holds.
    @Test func aRecordStaysSmall() {
        #expect(MemoryLayout<CallRecord>.stride <= 240)
    }
}
