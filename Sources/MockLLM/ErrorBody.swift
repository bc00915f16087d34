import Reliability

/// The provider's error JSON (`{"error":{"message","type","param","code"}}`) for each status.
public enum ErrorBody {
    /// The `type`, `code` and default message for a status and body kind.
    public static func fields(status: Int, kind: ErrorBodyKind, model: String = "the model")
        -> (type: String, code: String?, message: String)
    {
        switch kind {
        case .tokens:
            return (
                "tokens", "rate_limit_exceeded",
                "Rate limit reached for model `\(model)` on tokens per minute (TPM). Please try again later."
            )
        case .requests:
            return (
                "requests", "rate_limit_exceeded",
                "Rate limit reached for model `\(model)` on requests per minute (RPM). Please try again later."
            )
        case .insufficientQuota:
            return (
                "insufficient_quota", "insufficient_quota",
                "You exceeded your current quota, please check your plan and billing details."
            )
        case .standard:
            break
        }
        switch status {
        case 400: return ("invalid_request_error", nil, "Invalid request.")
        case 401: return ("invalid_request_error", "invalid_api_key", "Invalid API Key")
        case 403: return ("permission_denied", "permission_denied", "You do not have access to this resource.")
        case 404: return ("invalid_request_error", "model_not_found", "The model `\(model)` does not exist or you do not have access to it.")
        case 408: return ("timeout", "request_timeout", "Request timed out.")
        case 413:
            return (
                "tokens", "rate_limit_exceeded",
                "Request too large for model `\(model)` on tokens per minute (TPM). Please reduce your message size and try again."
            )
        case 422: return ("invalid_request_error", "unprocessable_entity", "Unprocessable entity.")
        case 429:
            return (
                "requests", "rate_limit_exceeded",
                "Rate limit reached for model `\(model)` on requests per minute (RPM). Please try again later."
            )
        case 498: return ("capacity_exceeded", "flex_tier_capacity_exceeded", "Flex tier capacity exceeded. Please try again later.")
        case 500: return ("server_error", "internal_server_error", "The server had an error while processing your request. Sorry about that!")
        case 502: return ("server_error", "bad_gateway", "Bad gateway.")
        case 503: return ("server_error", "service_unavailable", "The server is overloaded or not ready yet.")
        case 504: return ("server_error", "gateway_timeout", "Gateway timeout.")
        default:
            return status >= 500
                ? ("server_error", nil, "The server had an error (status \(status)).")
                : ("invalid_request_error", nil, "Request failed (status \(status)).")
        }
    }

    /// The JSON body text for an error.
    public static func json(type: String, code: String?, message: String, param: String? = nil) -> String {
        var s = "{\"error\":{\"message\":"
        JSONText.appendString(message, to: &s)
        s += ",\"type\":"
        JSONText.appendString(type, to: &s)
        s += ",\"param\":"
        if let param { JSONText.appendString(param, to: &s) } else { s += "null" }
        s += ",\"code\":"
        if let code { JSONText.appendString(code, to: &s) } else { s += "null" }
        s += "}}"
        return s
    }

    /// The JSON body for a status fault.
    public static func json(for fault: StatusFault, model: String) -> String {
        let f = fields(status: fault.status, kind: fault.body, model: model)
        return json(type: f.type, code: f.code, message: fault.message ?? f.message)
    }
}

