/// SplitMix64: used to seed and to split generators (Steele, Lea & Flood 2014).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// Creates a generator from a 64-bit seed.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman & Vigna): Squall's seeded, splittable PRNG. Every random choice in a
/// scenario comes from one of these, so the same seed gives the same run.
public struct SquallRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// Seeds the four words of state through SplitMix64, as the xoshiro authors recommend.
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next()
        s1 = sm.next()
        s2 = sm.next()
        s3 = sm.next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// An independent generator for a sub-stream (e.g. one per task or per component), derived by
    /// hashing this generator's next output with `stream` through SplitMix64. Deterministic.
    public mutating func split(stream: UInt64 = 0) -> SquallRandom {
        var sm = SplitMix64(seed: next() ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        return SquallRandom(seed: sm.next())
    }

    /// A generator for a named purpose derived from a seed without consuming anything: the same
    /// (seed, stream) always gives the same generator.
    public static func stream(seed: UInt64, _ stream: UInt64) -> SquallRandom {
        var sm = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return SquallRandom(seed: sm.next())
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform double in [a, b).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }

    /// A standard normal deviate (Box–Muller; one draw consumes two uniforms, no cached state).
    public mutating func standardNormal() -> Double {
        var u1 = unit()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// An exponential deviate with the given mean.
    public mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { p >= 1 || (p > 0 && unit() < p) }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// A stable 64-bit FNV-1a hash of a string, for deriving per-key random streams.
public func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    return h
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
