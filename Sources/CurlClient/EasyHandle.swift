import CCurl
import CurlShim

/// A libcurl easy handle with the error buffer curl writes into; pooled and reused by the loop.
/// Confined to the event-loop thread.
final class EasyHandle {
    /// The `CURL *`.
    let raw: UnsafeMutableRawPointer
    /// `CURL_ERROR_SIZE` bytes for `CURLOPT_ERRORBUFFER`.
    let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates a handle, or nil when libcurl cannot allocate one.
    init?() {
        guard let handle = curl_easy_init() else { return nil }
        raw = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    /// The text curl left in the error buffer, or nil when empty.
    var errorText: String? {
        errorBuffer[0] == 0 ? nil : String(cString: errorBuffer)
    }

    /// Frees the handle and its buffer. Call exactly once, after removing it from the multi handle.
    func destroy() {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }
}
