import Glibc
import Reliability
import Testing

@testable import CurlClient

@Suite("Transport failures over loopback")
struct TransportErrorTests {
    @Test func nothingListeningIsRefused() async throws {
        try await withServerAndClient { client, _ in
            let error = await transportError(client, HTTPRequest(url: "http://127.0.0.1:\(LoopbackServer.closedPort())/"))
            #expect(error?.failure == .refused)
            #expect(error?.curlCode == 7)
            #expect(error?.message.isEmpty == false)
            #expect(error?.attemptOutcome == .transport(.refused))
        }
    }

    @Test func resetBeforeAnyResponseIsReset() async throws {
        try await withServerAndClient { client, server in
            let error = await transportError(client, HTTPRequest(url: server.base + "/reset"))
            #expect(error?.failure == .reset)
            #expect(error?.curlCode == 56)
        }
    }

    @Test func resetInTheMiddleOfTheBodyIsReset() async throws {
        try await withServerAndClient { client, server in
            let error = await transportError(client, HTTPRequest(url: server.base + "/reset-mid"))
            #expect(error?.failure == .reset)
            #expect(error?.httpStatus == 200)
        }
    }

    @Test func closeWithoutAnyReplyIsClassifiedAsReset() async throws {
        try await withServerAndClient { client, server in
            let error = await transportError(client, HTTPRequest(url: server.base + "/close-empty"))
            #expect(error?.failure == .reset)
            #expect(error?.curlCode == 52)
        }
    }

    @Test func contentLengthBodyCutShortIsTruncated() async throws {
        try await withServerAndClient { client, server in
            let error = await transportError(client, HTTPRequest(url: server.base + "/truncate"))
            #expect(error?.failure == .truncated)
            #expect(error?.curlCode == 18)
            #expect(error?.httpStatus == 200)
            #expect(error?.description.hasPrefix("truncated: curl 18") == true)
        }
    }

    @Test func chunkedBodyCutShortIsTruncated() async throws {
        try await withServerAndClient { client, server in
            let error = await transportError(client, HTTPRequest(url: server.base + "/chunked-cut"))
            #expect(error?.failure == .truncated)
        }
    }

    @Test func serverThatNeverAnswersTimesOut() async throws {
        try await withServerAndClient { client, server in
            let error = await transportError(client, HTTPRequest(url: server.base + "/hang", timeout: .milliseconds(200)))
            #expect(error?.failure == .timeout)
            #expect(error?.curlCode == 28)
            #expect(error?.isCancellation == false)
        }
    }

    @Test func dripSlowerThanTheTimeoutTimesOut() async throws {
        try await withServerAndClient { client, server in
            let error = await transportError(client, HTTPRequest(url: server.base + "/drip?ms=200", timeout: .milliseconds(250)))
            #expect(error?.failure == .timeout)
            #expect(error?.httpStatus == 200)
        }
    }

    @Test func unresolvableHostAndBadURLAreUnreachable() async throws {
        try await withServerAndClient { client, _ in
            let dns = await transportError(client, HTTPRequest(url: "http://squall-test.invalid/", timeout: .seconds(5)))
            #expect(dns?.failure == .unreachable)
            #expect(dns?.curlCode == 6)
            let scheme = await transportError(client, HTTPRequest(url: "ftp://127.0.0.1/"))
            #expect(scheme?.failure == .unreachable)
        }
    }

    @Test func classificationTableMatchesTheDocumentedMapping() {
        #expect(TransportError.classify(curlCode: 7, osErrno: ECONNREFUSED) == .refused)
        #expect(TransportError.classify(curlCode: 7, osErrno: EHOSTUNREACH) == .unreachable)
        #expect(TransportError.classify(curlCode: 6, osErrno: 0) == .unreachable)
        #expect(TransportError.classify(curlCode: 28, osErrno: 0) == .timeout)
        #expect(TransportError.classify(curlCode: 55, osErrno: 0) == .reset)
        #expect(TransportError.classify(curlCode: 56, osErrno: 0) == .reset)
        #expect(TransportError.classify(curlCode: 52, osErrno: 0) == .reset)
        #expect(TransportError.classify(curlCode: 18, osErrno: 0) == .truncated)
        #expect(TransportError.classify(curlCode: 8, osErrno: 0) == .malformed)
    }
}
