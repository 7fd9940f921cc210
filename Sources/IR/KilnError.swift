/// Every error Kiln reports to a user: a value that names where it happened and why.
///
/// The CLI prints `description` as one line and exits non-zero; nothing a model file controls
/// reaches a trap. `file` and `node` are filled in by whichever layer knows them.
public struct KilnError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    public var node: String?
    public var message: String

    public init(_ message: String, file: String? = nil, node: String? = nil) {
        self.message = message
        self.file = file
        self.node = node
    }

    /// The same error with a node name attached, unless one is already there.
    public func at(node name: String) -> KilnError {
        var copy = self
        if copy.node == nil { copy.node = name }
        return copy
    }

    /// The same error with a file name attached, unless one is already there.
    public func `in`(file path: String) -> KilnError {
        var copy = self
        if copy.file == nil { copy.file = path }
        return copy
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let node { parts.append("node '\(node)'") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

/// Throws a `KilnError` unless `condition` holds: the checked form of `precondition` for input data.
@inlinable
public func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw KilnError(message()) }
}
