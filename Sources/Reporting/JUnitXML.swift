/// A JUnit XML document (the Ant/Surefire schema CI systems read): one `<testsuite>` per scenario,
/// one `<testcase>` per expectation, a `<failure>` element carrying expected and observed for each
/// failed expectation.
public struct JUnitXML: Sendable {
    /// One expectation as a test case.
    public struct TestCase: Sendable, Equatable {
        /// The test name (the expectation, e.g. `success_rate >= 99.5%`).
        public var name: String
        /// Whether it held.
        public var passed: Bool
        /// What was expected.
        public var expected: String
        /// What was observed.
        public var observed: String
        /// Extra explanation for a failure (may be empty).
        public var detail: String
        /// How many observations the verdict rests on (a testcase property); nil writes none.
        public var observations: Int?
        /// Whether a failure is "no evidence" (an empty population) rather than a threshold missed.
        public var noEvidence: Bool
        /// Whether the verdict was marked untrustworthy at the run's time scale (a testcase property). Default false.
        public var untrustworthy = false
        /// Creates a test case.
        public init(
            name: String, passed: Bool, expected: String, observed: String, detail: String = "", observations: Int? = nil,
            noEvidence: Bool = false
        ) {
            self.name = name
            self.passed = passed
            self.expected = expected
            self.observed = observed
            self.detail = detail
            self.observations = observations
            self.noEvidence = noEvidence
        }
    }

    /// One scenario as a test suite.
    public struct Suite: Sendable, Equatable {
        /// The suite name (the scenario name).
        public var name: String
        /// Scenario time covered, in seconds (reported as `time`).
        public var seconds: Double
        /// Name/value properties (seed, mode, …), written in the given order.
        public var properties: [(String, String)]
        /// The cases.
        public var cases: [TestCase]
        /// Whether the run was interrupted: adds an `<error>` test case so CI treats it as not passed.
        public var incomplete: Bool

        /// Creates a suite.
        public init(name: String, seconds: Double, properties: [(String, String)] = [], cases: [TestCase], incomplete: Bool = false) {
            self.name = name
            self.seconds = seconds
            self.properties = properties
            self.cases = cases
            self.incomplete = incomplete
        }

        /// Equal when every field is, properties compared in order.
        public static func == (a: Suite, b: Suite) -> Bool {
            a.name == b.name && a.seconds == b.seconds && a.cases == b.cases && a.incomplete == b.incomplete
                && a.properties.map { $0.0 + "\u{0}" + $0.1 } == b.properties.map { $0.0 + "\u{0}" + $0.1 }
        }

        /// Failed expectations.
        public var failures: Int { cases.filter { !$0.passed }.count }
        /// Errors (1 when the run was incomplete).
        public var errors: Int { incomplete ? 1 : 0 }
        /// Test cases written, including the incomplete-run case.
        public var tests: Int { cases.count + errors }
    }

    /// The suites.
    public var suites: [Suite]

    /// Creates a document.
    public init(suites: [Suite]) { self.suites = suites }

    /// The XML text.
    public func text() -> String {
        let e = XMLText.escape
        let tests = suites.map(\.tests).reduce(0, +)
        let failures = suites.map(\.failures).reduce(0, +)
        let errors = suites.map(\.errors).reduce(0, +)
        let time = suites.map(\.seconds).reduce(0, +)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"squall\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(NumberText.fixed(time, 3))\">\n"
        for s in suites {
            out += "  <testsuite name=\"\(e(s.name))\" tests=\"\(s.tests)\" failures=\"\(s.failures)\" errors=\"\(s.errors)\" skipped=\"0\" time=\"\(NumberText.fixed(s.seconds, 3))\">\n"
            if !s.properties.isEmpty {
                out += "    <properties>\n"
                for (k, v) in s.properties { out += "      <property name=\"\(e(k))\" value=\"\(e(v))\"/>\n" }
                out += "    </properties>\n"
            }
            let classname = "squall." + s.name
            for c in s.cases {
                let open = "    <testcase name=\"\(e(c.name))\" classname=\"\(e(classname))\" time=\"0\""
                var properties = ""
                if let n = c.observations {
                    properties = "      <properties>\n        <property name=\"observations\" value=\"\(n)\"/>\n"
                    if c.untrustworthy { properties += "        <property name=\"untrustworthy\" value=\"true\"/>\n" }
                    properties += "      </properties>\n"
                }
                if c.passed {
                    out += properties.isEmpty ? open + "/>\n" : open + ">\n" + properties + "    </testcase>\n"
                } else {
                    var message = (c.noEvidence ? "no evidence: " : c.untrustworthy ? "untrustworthy: " : "") + "expected \(c.expected), observed \(c.observed)"
                    if let n = c.observations { message += " (n=\(n))" }
                    var body = "expected: \(c.expected)\nobserved: \(c.observed)"
                    if let n = c.observations { body += "\nobservations: \(n)" }
                    if !c.detail.isEmpty { body += "\n" + c.detail }
                    let type = c.noEvidence ? "NoEvidence" : c.untrustworthy ? "Untrustworthy" : "ExpectationFailed"
                    out += open + ">\n" + properties
                    out += "      <failure message=\"\(e(message))\" type=\"\(type)\">\(XMLText.escapeContent(body))</failure>\n"
                    out += "    </testcase>\n"
                }
            }
            if s.incomplete {
                out += "    <testcase name=\"run completed\" classname=\"\(e(classname))\" time=\"0\">\n"
                out += "      <error message=\"the run was interrupted; results cover only part of the scenario\" type=\"Incomplete\"/>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }
}
