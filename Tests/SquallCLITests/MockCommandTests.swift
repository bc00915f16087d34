import MockLLM
import Testing

@testable import squall

/// `squall mock` flags: every bad value is exit 2 (`UsageError`) naming the flag.
@Suite struct MockCommandTests {
    func config(_ args: [String]) throws -> MockServerConfig {
        try MockCommand.parse(args).makeConfig()
    }

    func usageError(_ args: [String]) -> String? {
        do {
            _ = try config(args)
            return nil
        } catch let e as UsageError {
            return e.message
        } catch {
            return "not a UsageError: \(error)"
        }
    }

    @Test func anEmptyControlTokenIsRefused() {
        #expect(usageError(["--control-token", ""])?.hasPrefix("--control-token is empty") == true)
    }

    @Test func bindingBeyondLoopbackNeedsATokenOrInsecureControl() throws {
        for host in ["0.0.0.0", "::", "10.1.2.3"] {
            #expect(usageError(["--host", host])?.hasPrefix("--host \(host) accepts connections from beyond loopback") == true)
        }
        #expect(try config(["--host", "0.0.0.0", "--control-token", "t"]).controlToken == "t")
        #expect(try config(["--host", "0.0.0.0", "--insecure-control"]).insecureControl)
        #expect(try config(["--host", "127.0.0.1"]).controlToken == nil)
        #expect(try config(["--host", "::1"]).controlToken == nil)
    }
}

/// `squall mock` flag bounds (#12.3).
@Suite struct MockCommandBoundsTests {
    func usageError(_ args: [String]) -> String? {
        MockCommandTests().usageError(args)
    }

    @Test func threadsAreBounded() {
        #expect(usageError(["--threads", "1000"]) == "--threads 1000 is out of range: expected 1...64")
        #expect(usageError(["--threads", "0"]) == "--threads 0 is out of range: expected 1...64")
        #expect(usageError(["--threads", "-3"]) == "--threads -3 is out of range: expected 1...64")
        #expect(usageError(["--threads", "64"]) == nil)
    }

    @Test func aHostThatIsNotAnAddressIsABadFlag() {
        for host in ["999.1.1.1", "not a host", "", "example.com", "1.2.3"] {
            #expect(usageError(["--host", host])?.hasPrefix("--host \(host) is not an address") == true, "\(host)")
        }
        #expect(usageError(["--host", "localhost"]) == nil)
    }

    @Test func everyDurationAndSizeIsValidated() {
        #expect(usageError(["--idle-timeout", "0s"])?.hasPrefix("--idle-timeout 0s is out of range") == true)
        #expect(usageError(["--idle-timeout", "-1s"])?.hasPrefix("--idle-timeout -1s") == true)
        #expect(usageError(["--idle-timeout", "soon"])?.hasPrefix("--idle-timeout soon") == true)
        #expect(usageError(["--idle-timeout", "48h"])?.hasPrefix("--idle-timeout") == true)
        #expect(usageError(["--time-scale", "0"])?.hasPrefix("--time-scale 0.0 is not valid") == true)
        #expect(usageError(["--time-scale", "-5"])?.hasPrefix("--time-scale -5.0 is not valid") == true)
        #expect(usageError(["--time-scale", "inf"])?.hasPrefix("--time-scale") == true)
        #expect(usageError(["--time-scale", "1e9"])?.hasPrefix("--time-scale") == true)
        #expect(usageError(["--max-body", "0"])?.hasPrefix("--max-body 0 is out of range") == true)
        #expect(usageError(["--port", "70000"])?.hasPrefix("--port 70000 is out of range") == true)
        #expect(usageError(["--port", "-1"])?.hasPrefix("--port -1 is out of range") == true)
        #expect(usageError(["--max-connections", "0"])?.hasPrefix("--max-connections 0 is out of range") == true)
        #expect(usageError(["--max-keys", "0"])?.hasPrefix("--max-keys 0 is out of range") == true)
        #expect(usageError(["--idle-timeout", "250ms", "--time-scale", "60", "--threads", "2"]) == nil)
    }
}
