@testable import MockLLM
import NIOCore
import Testing

/// The event loop's reusable output buffer: reused once released, never overwriting bytes a
/// pending write still holds, and not keeping large buffers.
@Suite struct OutputScratchTests {
    @Test func aBufferStillHeldByAPendingWriteIsNotOverwritten() {
        let scratch = OutputScratch()
        var first = ByteBufferAllocator().buffer(capacity: 64)
        first.writeString("response one")
        let pending = first  // what the channel still holds while its write is in progress
        scratch.give(first)
        var next = scratch.take()!
        next.clear()
        next.writeString("response two, longer")
        #expect(String(buffer: pending) == "response one")
        #expect(String(buffer: next) == "response two, longer")
        #expect(scratch.take() == nil)  // taken: the next response allocates until it is given back
    }

    @Test func aReleasedBufferIsReusedWithoutANewAllocation() {
        let scratch = OutputScratch()
        var first = ByteBufferAllocator().buffer(capacity: 64)
        first.writeString("response one")
        let storage = first.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        scratch.give(first)
        first = ByteBuffer()  // the write completed and released it
        var next = scratch.take()!
        next.clear()
        next.writeString("two")
        #expect(next.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } == storage)
    }

    @Test func largeBuffersAreNotKept() {
        let scratch = OutputScratch()
        scratch.give(ByteBufferAllocator().buffer(capacity: OutputScratch.maxKeptCapacity + 1))
        #expect(scratch.take() == nil)
    }
}
