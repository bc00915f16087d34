import Foundation
import Reliability

/// Checks of flag values shared by `squall run`, `load`, `serve` and `backoff`, so the same bad
/// value gets the same message everywhere. Every error names the flag and what would be valid.
public enum FlagCheck {
    /// An `http://` or `https://` URL with a host (and a valid port, if given).
    public static func httpURL(_ text: String, flag: String) throws(FlagError) -> String {
        let valid = "expected an http:// or https:// URL with a host, e.g. http://127.0.0.1:8080"
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { throw FlagError("\(flag) '\(text)': \(valid)") }
        guard let host = c.host, !host.isEmpty else { throw FlagError("\(flag) '\(text)': no host; \(valid)") }
        if let port = c.port, !(1...65535).contains(port) {
            throw FlagError("\(flag) '\(text)': port \(port) is out of range; expected 1 to 65535")
        }
        guard c.user == nil, c.password == nil else { throw FlagError("\(flag) '\(text)': credentials in the URL are not supported; \(valid)") }
        return text
    }

    /// A duration (`250ms`, `1.5s`, `6m0s`) within `min...FlagLimits.maxDuration`; `positive` refuses 0.
    public static func duration(
        _ text: String, flag: String, positive: Bool = false, min: Duration = .zero, max: Duration = FlagLimits.maxDuration
    ) throws(FlagError) -> Duration {
        let d: Duration
        do { d = try DurationFormat.parse(text) } catch { throw FlagError("\(flag) '\(text)': expected \(DurationFormat.validForms)") }
        if d < .zero { throw FlagError("\(flag) '\(text)': must not be negative") }
        if positive && d == .zero { throw FlagError("\(flag) '\(text)': must be more than 0s") }
        if d < min { throw FlagError("\(flag) '\(text)': must be at least \(DurationFormat.short(min))") }
        if d > max { throw FlagError("\(flag) '\(text)': must be at most \(DurationFormat.short(max))") }
        return d
    }

    /// A rate (`2000/s`, `300/m`, `10000/day`, or a plain number per second) above zero, in tasks per second.
    public static func rate(_ text: String, flag: String, allowZero: Bool = false) throws(FlagError) -> Double {
        let v: Double
        if let plain = Double(text.trimmingCharacters(in: .whitespaces)) {
            v = plain
        } else if text.trimmingCharacters(in: .whitespaces).hasPrefix("-") {
            throw FlagError("\(flag) '\(text)': must not be negative")
        } else {
            do { v = try Rate.parse(text) } catch { throw FlagError("\(flag) '\(text)': expected \(Rate.validForms)") }
        }
        guard v.isFinite else { throw FlagError("\(flag) '\(text)': expected a finite rate") }
        if v < 0 { throw FlagError("\(flag) '\(text)': must not be negative") }
        if v == 0 && !allowZero { throw FlagError("\(flag) '\(text)': must be above zero") }
        return v
    }

    /// A time scale K: a finite number above 0 and at most `FlagLimits.maxTimeScale`.
    public static func timeScale(_ k: Double, flag: String = "--time-scale") throws(FlagError) -> Double {
        guard k.isFinite, k > 0 else { throw FlagError("\(flag) \(k): expected a number above 0") }
        guard k <= FlagLimits.maxTimeScale else {
            throw FlagError("\(flag) \(k): at most \(Int(FlagLimits.maxTimeScale)) (see the README's limits)")
        }
        return k
    }

    /// A whole number in `range`.
    public static func int(_ v: Int, flag: String, in range: ClosedRange<Int>) throws(FlagError) -> Int {
        guard range.contains(v) else { throw FlagError("\(flag) \(v): expected \(range.lowerBound) to \(range.upperBound)") }
        return v
    }

    /// The largest `--connections` the process can open: `FlagLimits.maxConnections`, or the open-file
    /// limit less 64 descriptors for everything else, whichever is lower.
    public static var connectionLimit: Int {
        var limit = rlimit()
        #if os(Linux)
        let ok = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
        #else
        let ok = getrlimit(RLIMIT_NOFILE, &limit) == 0
        #endif
        guard ok, limit.rlim_cur < 1 << 40 else { return FlagLimits.maxConnections }  // RLIM_INFINITY is all ones
        return Swift.max(1, Swift.min(FlagLimits.maxConnections, Int(clamping: limit.rlim_cur) - 64))
    }

    /// `--connections N`: 1 to `connectionLimit`.
    public static func connections(_ n: Int, flag: String = "--connections") throws(FlagError) -> Int {
        let cap = connectionLimit
        guard (1...cap).contains(n) else {
            throw FlagError(
                "\(flag) \(n): expected 1 to \(cap) (at most \(FlagLimits.maxConnections), and below the open-file limit, `ulimit -n`, less 64)")
        }
        return n
    }
}
