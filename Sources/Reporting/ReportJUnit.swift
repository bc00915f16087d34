import Scenarios

/// `junit.xml` for a result: one test suite for the scenario, one test case per expectation, and an
/// `<error>` test case when the run was incomplete.
public enum ReportJUnit {
    /// The document.
    public static func document(_ r: ScenarioResult, context: ReportContext = ReportContext()) -> JUnitXML {
        var properties: [(String, String)] = [
            ("scenario_file", r.scenario.file), ("mode", r.mode.rawValue), ("seed", String(r.seed)),
            ("duration", NumberText.duration(r.durationSeconds)), ("squall_version", context.squallVersion),
        ]
        if let scale = context.timeScale { properties.append(("time_scale", NumberText.trimmed(scale, 3))) }
        if r.incomplete { properties.append(("incomplete", r.incompleteReason ?? "true")) }
        let cases = r.expectations.map {
            JUnitXML.TestCase(name: $0.name, passed: $0.passed, expected: $0.expected, observed: $0.observed, detail: $0.detail)
        }
        return JUnitXML(suites: [
            JUnitXML.Suite(name: r.scenario.name, seconds: r.endSeconds, properties: properties, cases: cases, incomplete: r.incomplete)
        ])
    }
}
