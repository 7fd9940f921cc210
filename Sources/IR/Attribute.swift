/// An operator attribute value, the IR's own form of ONNX's `AttributeProto`. Also what the text
/// IR prints and parses.
public enum AttributeValue: Sendable, CustomStringConvertible {
    case int(Int)
    case float(Float)
    case string(String)
    case ints([Int])
    case floats([Float])
    case strings([String])
    case tensor(Tensor)

    public var description: String {
        switch self {
        case .int(let v): "\(v)"
        case .float(let v): "\(v)"
        case .string(let v): "\"\(v)\""
        case .ints(let v): "[\(v.map(String.init).joined(separator: ", "))]"
        case .floats(let v): "[\(v.map { "\($0)" }.joined(separator: ", "))]"
        case .strings(let v): "[\(v.map { "\"\($0)\"" }.joined(separator: ", "))]"
        case .tensor(let t): "tensor<\(t.type)>"
        }
    }
}

/// The attributes of one node, with typed accessors that throw a clear error on a wrong kind.
public struct Attributes: Sendable {
    public private(set) var values: [String: AttributeValue]

    public init(_ values: [String: AttributeValue] = [:]) { self.values = values }

    public subscript(name: String) -> AttributeValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public func int(_ name: String) throws -> Int? {
        switch values[name] {
        case nil: return nil
        case .int(let v): return v
        case let other?: throw KilnError("attribute '\(name)' should be an int, found \(other)")
        }
    }

    public func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }

    public func float(_ name: String) throws -> Float? {
        switch values[name] {
        case nil: return nil
        case .float(let v): return v
        case .int(let v): return Float(v)
        case let other?: throw KilnError("attribute '\(name)' should be a float, found \(other)")
        }
    }

    public func float(_ name: String, default value: Float) throws -> Float { try float(name) ?? value }

    public func string(_ name: String) throws -> String? {
        switch values[name] {
        case nil: return nil
        case .string(let v): return v
        case let other?: throw KilnError("attribute '\(name)' should be a string, found \(other)")
        }
    }

    public func ints(_ name: String) throws -> [Int]? {
        switch values[name] {
        case nil: return nil
        case .ints(let v): return v
        case .int(let v): return [v]
        case let other?: throw KilnError("attribute '\(name)' should be a list of ints, found \(other)")
        }
    }

    public func floats(_ name: String) throws -> [Float]? {
        switch values[name] {
        case nil: return nil
        case .floats(let v): return v
        case .float(let v): return [v]
        case let other?: throw KilnError("attribute '\(name)' should be a list of floats, found \(other)")
        }
    }

    public func tensor(_ name: String) throws -> Tensor? {
        switch values[name] {
        case nil: return nil
        case .tensor(let v): return v
        case let other?: throw KilnError("attribute '\(name)' should be a tensor, found \(other)")
        }
    }
}
