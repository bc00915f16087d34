import CCurl
import CurlShim
import Glibc
import Reliability

/// Why a request produced no complete HTTP response: a transport failure classified for the
/// reliability stack, plus what libcurl said (its error code and text) for a person to read.
///
/// Mapping from libcurl (`failure`):
/// - `CURLE_COULDNT_CONNECT` → `.refused` (`.unreachable` when errno is EHOSTUNREACH/ENETUNREACH)
/// - `CURLE_COULDNT_RESOLVE_HOST`/`_PROXY`, `CURLE_URL_MALFORMAT`, `CURLE_UNSUPPORTED_PROTOCOL`,
///   TLS handshake/certificate errors → `.unreachable`
/// - `CURLE_OPERATION_TIMEDOUT` → `.timeout`
/// - `CURLE_RECV_ERROR`, `CURLE_SEND_ERROR` (ECONNRESET, EPIPE, …) → `.reset`
/// - `CURLE_GOT_NOTHING` (the server closed without a single response byte) → `.reset`: to the
///   client this is a dropped connection, and the official SDKs treat it as a connection error
///   (retryable), not as a malformed answer
/// - `CURLE_PARTIAL_FILE` (Content-Length body cut short, chunked stream cut) → `.truncated`
/// - `CURLE_WEIRD_SERVER_REPLY`, `CURLE_BAD_CONTENT_ENCODING`, HTTP/2 framing errors → `.malformed`
/// - any other curl error → `.reset` (the connection failed in a way curl does not name)
/// - the calling task was cancelled → `.timeout` with `isCancellation` (an attempt abandoned by its
///   caller, which is how deadlines above the transport end an attempt)
/// - the client was shut down → `.unreachable` with `isShutdown`
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The classification the reliability stack consumes.
    public var failure: TransportFailure
    /// libcurl's `CURLcode` (0 when the error did not come from curl: cancellation, shutdown).
    public var curlCode: Int
    /// The OS errno libcurl saw (`CURLINFO_OS_ERRNO`), 0 when none.
    public var osErrno: Int32
    /// libcurl's error text (its error buffer, else `curl_easy_strerror`), or ours.
    public var message: String
    /// The HTTP status when a response head had already arrived (e.g. a 200 whose body was cut).
    public var httpStatus: Int?
    /// True when the calling task was cancelled and the transfer was abandoned.
    public var isCancellation: Bool
    /// True when the client had been shut down.
    public var isShutdown: Bool

    /// Creates an error.
    public init(
        failure: TransportFailure, curlCode: Int = 0, osErrno: Int32 = 0, message: String,
        httpStatus: Int? = nil, isCancellation: Bool = false, isShutdown: Bool = false
    ) {
        self.failure = failure
        self.curlCode = curlCode
        self.osErrno = osErrno
        self.message = message
        self.httpStatus = httpStatus
        self.isCancellation = isCancellation
        self.isShutdown = isShutdown
    }

    /// The error for a transfer abandoned because its task was cancelled.
    public static let cancelled = TransportError(
        failure: .timeout, message: "request cancelled by the calling task", isCancellation: true)

    /// The error for a request made after (or cut short by) `CurlHTTPClient.shutdown()`.
    public static let shutDown = TransportError(
        failure: .unreachable, message: "the HTTP client has been shut down", isShutdown: true)

    /// `refused: curl 7 (Couldn't connect to server): Failed to connect to 127.0.0.1 port 1 …`.
    public var description: String {
        var text = failure.rawValue + ": "
        if curlCode != 0 {
            text += "curl \(curlCode) (\(String(cString: curl_easy_strerror(CURLcode(UInt32(curlCode))))))"
            if !message.isEmpty { text += ": " + message }
        } else {
            text += message
        }
        if let httpStatus { text += " [after HTTP \(httpStatus)]" }
        return text
    }

    /// Classifies a libcurl result code (with the errno curl saw) as a transport failure.
    public static func classify(curlCode: Int, osErrno: Int32) -> TransportFailure {
        switch CURLcode(UInt32(truncatingIfNeeded: curlCode)) {
        case CURLE_COULDNT_CONNECT:
            return (osErrno == EHOSTUNREACH || osErrno == ENETUNREACH) ? .unreachable : .refused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_URL_MALFORMAT,
            CURLE_UNSUPPORTED_PROTOCOL, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return .unreachable
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            return .reset
        case CURLE_PARTIAL_FILE:
            return .truncated
        case CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .malformed
        default:
            return .reset
        }
    }
}
