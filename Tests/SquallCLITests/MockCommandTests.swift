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
