#if canImport(Glibc)
    import Glibc
#endif

/// The allocator setting of `squall load` (Linux, glibc).
///
/// glibc gives threads that contend for the allocator their own arenas (up to 8 per core) and an
/// arena keeps the pages it ever held. `squall load` creates a task on the pacer's thread, runs it on
/// libcurl's loop and the cooperative pool, and churns thousands of them a second: each arena keeps
/// its own high-water mark and its own fragmentation, and the peak RSS creeps with the run. Two
/// arenas measured lower peaks at the same load (BENCHMARKS.md, "Load generator memory over a long
/// run": 122.2 vs 136.6 MB with the 10,000-task cap full, the same 3 minutes side by side) for about
/// 8–11% more generator CPU (`pacing-ab.sh`). A `MALLOC_ARENA_MAX` in the environment wins.
enum MallocArenas {
    /// Caps glibc's arenas at `count` unless `MALLOC_ARENA_MAX` is set. Call before the run starts
    /// its threads' work (arenas made before stay).
    static func limit(_ count: Int32) {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil, let mallopt = glibcMallopt else { return }
            _ = mallopt(mArenaMax, count)
        #endif
    }

    /// `M_ARENA_MAX` of `<malloc.h>`.
    private static let mArenaMax: Int32 = -8
}

#if canImport(Glibc)
    /// glibc's `mallopt` (declared in `<malloc.h>`, which the Glibc module does not export), looked
    /// up at run time and called with the C calling convention; nil if the C library has none.
    private let glibcMallopt: (@convention(c) (Int32, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }()
#endif
