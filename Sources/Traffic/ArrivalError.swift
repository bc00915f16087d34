/// An invalid arrival parameter: the message names the parameter and what is valid.
public struct ArrivalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what would be valid.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
