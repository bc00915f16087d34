@testable import MockLLM
import Testing

/// The shared state's lock: glibc's adaptive mutex, and still a mutex.
@Suite struct AdaptiveLockedBoxTests {
    #if os(Linux)
        @Test func theMutexIsGlibcsAdaptiveKind() {
            #expect(AdaptiveLockedBox(0).isAdaptive)
        }
    #endif

    @Test func twoThreadsIncrementingUnderTheLockLoseNoUpdate() async {
        let box = AdaptiveLockedBox(0)
        let perTask = 200_000
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<perTask { box.withLockedValue { $0 += 1 } }
                }
            }
        }
        #expect(box.withLockedValue { $0 } == 2 * perTask)
    }
}
