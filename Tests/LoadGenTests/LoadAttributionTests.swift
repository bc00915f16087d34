import MockLLM
import Testing

@testable import LoadGen

/// `squall load`'s run id and prompt tag: keys and task ids carry the run id, and every submission
/// of a key (duplicates included) carries the same marker.
struct LoadAttributionTests {
    @Test func keysCarryTheRunIDAndPromptsTheKeysTag() {
        let factory = TaskFactory(seed: 3, keyPrefix: "abcd1234", tagRun: "abcd1234")
        let t = factory.task(index: 35, at: .zero)
        #expect(t.idempotencyKey == "abcd1234-35" && t.id == "abcd1234-35")
        #expect(SquallTag.find(in: t.prompt)?.tag == SquallTag(run: "abcd1234", key: 35))
        #expect(SquallTag.strip(t.prompt) == TaskFactory(seed: 3).task(index: 35, at: .zero).prompt)
        let d = factory.duplicate(of: t, kind: .concurrent, at: .seconds(1))
        #expect(d.prompt == t.prompt && d.idempotencyKey == t.idempotencyKey)
    }

    @Test func withoutATagRunPromptsAreSentAsGiven() {
        let t = TaskFactory(seed: 3, keyPrefix: "abcd1234").task(index: 1, at: .zero)
        #expect(SquallTag.find(in: t.prompt) == nil)
        #expect(TaskFactory(seed: 3).task(index: 1, at: .zero).idempotencyKey == "squall-3-1")
    }
}
