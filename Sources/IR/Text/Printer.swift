/// Prints a graph in Kiln's IR text format, which `IRParser` reads back. The format is documented
/// in docs/IR.md; golden tests compare it, so changes to it are deliberate.
///
///     graph "main" {
///       input %x: float32[1x8x16x16]
///       const %w: float32[8x1x3x3]
///       const %b: float32[8] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
///       %c: float32[1x8x16x16] = Conv(%x, %w, %b) {strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], group=8} loc("conv")
///       %y: float32[1x8x16x16] = Relu(%c) [layout="NHWC"] loc("relu")
///       output %y
///     }
///
/// Constants with at most `inlineLimit` elements print their values; larger ones print only their type.
public struct IRPrinter {
    public var inlineLimit = 16

    public init() {}

    public func print(_ graph: Graph) -> String {
        let names = ValueNames(graph)
        var out = "graph \(quoted(graph.info.graphName)) {\n"
        for input in graph.inputs {
            out += "  input \(names[input]): \(graph.type(of: input))\n"
        }
        for (id, tensor) in graph.constants.sorted(by: { $0.key < $1.key }) {
            out += "  const \(names[id]): \(tensor.type)"
            if tensor.elementCount <= inlineLimit { out += " = \(literal(tensor))" }
            out += "\n"
        }
        for node in graph.nodes {
            let results = node.outputs.map { "\(names[$0]): \(graph.type(of: $0))" }.joined(separator: ", ")
            out += "  \(results) = \(node.op.opType)(\(node.inputs.map { names[$0] }.joined(separator: ", ")))"
            let attributes = node.op.attributeList
            if !attributes.isEmpty {
                out += " {\(attributes.map { "\($0.0)=\(Self.format($0.1))" }.joined(separator: ", "))}"
            }
            if !node.annotations.isEmpty {
                out += " [\(node.annotations.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.format($0.value))" }.joined(separator: ", "))]"
            }
            out += " loc(\(node.provenance.map(quoted).joined(separator: ", ")))\n"
        }
        for output in graph.outputs {
            out += "  output \(names[output])\n"
        }
        return out + "}\n"
    }

    /// Attribute values in the text form the parser reads: ints, floats with a decimal point or
    /// exponent, quoted strings, bracketed lists, and small tensors as `tensor<type> [values]`.
    static func format(_ value: AttributeValue) -> String {
        switch value {
        case .int(let v): "\(v)"
        case .float(let v): formatFloat(v)
        case .string(let v): quoted(v)
        case .ints(let v): "[\(v.map(String.init).joined(separator: ", "))]"
        case .floats(let v): "[\(v.map(formatFloat).joined(separator: ", "))]"
        case .strings(let v): "[\(v.map(quoted).joined(separator: ", "))]"
        case .tensor(let t): "tensor<\(t.type)> \(literal(t))"
        }
    }
}

/// A float that reads back as the same Float and always looks like a float (`1.0`, `-inf`, `nan`).
func formatFloat(_ v: Float) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    let text = "\(v)"
    return text.contains(".") || text.contains("e") ? text : text + ".0"
}

/// The values of a tensor as a flat bracketed list.
func literal(_ t: Tensor) -> String {
    let values: [String]
    switch t.elementType {
    case .float32: values = t.floats.map(formatFloat)
    case .float64: values = t.doubles().map { formatFloat(Float($0)) }
    default: values = ((try? t.integers()) ?? []).map(String.init)
    }
    return "[\(values.joined(separator: ", "))]"
}

/// A string in double quotes with `"` and `\` escaped and control characters as `\u{..}`.
func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// Printable, unique names for values: `%name` when the name is simple, `%"name"` otherwise, with
/// `.N` appended to later values that share a name.
struct ValueNames {
    private var names: [ValueID: String] = [:]

    init(_ graph: Graph) {
        var used: Set<String> = []
        for index in graph.values.indices {
            let base = graph.values[index].name.isEmpty ? "v\(index)" : graph.values[index].name
            var candidate = base, n = 1
            while used.contains(candidate) {
                candidate = "\(base).\(n)"
                n += 1
            }
            used.insert(candidate)
            names[ValueID(index)] = Self.isSimple(candidate) ? "%" + candidate : "%" + quoted(candidate)
        }
    }

    subscript(id: ValueID) -> String { names[id] ?? "%?\(id.index)" }

    static func isSimple(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || "_./-".unicodeScalars.contains($0) }
    }
}
