import ArgumentParser

/// A flag with a value that cannot be honoured: the message names the flag, the value and what is
/// valid. Thrown from `validate()`, it makes the command exit 2 before anything runs.
public struct FlagError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Names the flag and what is valid.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    /// The same message as ArgumentParser's validation error (exit 2 through `squall`'s main).
    public var validation: ValidationError { ValidationError(message) }
}
