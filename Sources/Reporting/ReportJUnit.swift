import Scenarios

/// `junit.xml` for a result: one test suite for the scenario, one test case per expectation, and an
/// `<error>` test case when the run was incomplete. `time` is 0: the figures are in scenario time,
/// which CI tools would misread as wall-clock time, so the duration goes in the properties instead.
public enum ReportJUnit {
    /// The document.
    public static func document(_ r: ScenarioResult, context: ReportContext = ReportContext()) -> JUnitXML {
        var properties: [(String, String)] = [
            ("scenario_file", r.scenario.file), ("mode", r.mode.rawValue), ("seed", String(r.seed)),
            ("duration", NumberText.duration(r.durationSeconds)), ("scenario_end", NumberText.instant(r.endSeconds)), ("squall_version", context.squallVersion),
        ]
        if let scale = context.timeScale { properties.append(("time_scale", NumberText.trimmed(scale, 3))) }
        if r.incomplete { properties.append(("incomplete", r.incompleteReason ?? "true")) }
        let cases = r.expectations.map {
            var c = JUnitXML.TestCase(
                name: $0.name, passed: $0.passed, expected: $0.expected, observed: $0.observed, detail: $0.detail,
                observations: $0.observations, noEvidence: $0.status == .noEvidence)
            c.untrustworthy = $0.untrustworthy
            return c
        }
        return JUnitXML(suites: [
            JUnitXML.Suite(name: r.scenario.name, seconds: 0, properties: properties, cases: cases, incomplete: r.incomplete)
        ])
    }
}
