import CommandFlags
import Testing

@testable import squall

/// `squall run --time-scale K|auto`: parsed by ArgumentParser, checked in `validate()`.
@Suite struct TimeScaleAutoFlagTests {
    func runMessage(_ argv: String...) -> String {
        do {
            _ = try RunCommand.parse(argv)
            return ""
        } catch { return RunCommand.message(for: error) }
    }

    @Test func autoAndNumbersAreAccepted() throws {
        #expect(runMessage("x.yaml", "--time-scale", "auto") == "")
        #expect(runMessage("x.yaml", "--mode", "live", "--time-scale", "AUTO") == "")
        #expect(runMessage("x.yaml", "--time-scale", "60") == "")
        #expect(try TimeScaleChoice.parse("auto") == .auto)
        #expect(try TimeScaleChoice.parse("1440") == .fixed(1440))
        let settings = try RunCommand.parse(["x.yaml", "--time-scale", "auto"]).settings
        #expect(settings.autoTimeScale && settings.timeScale == nil && settings.liveOnlyFlags == ["--time-scale"])
    }

    @Test func badValuesNameTheFlagAndTheValidForms() {
        #expect(runMessage("x.yaml", "--time-scale", "fast") == "--time-scale 'fast': expected a number above 0 and at most 10000, or auto")
        #expect(runMessage("x.yaml", "--time-scale", "-2").hasPrefix("--time-scale -2.0: expected a number above 0"))
        #expect(runMessage("x.yaml", "--mode", "sim", "--time-scale", "auto").hasPrefix("--time-scale auto applies only to live runs"))
    }
}
