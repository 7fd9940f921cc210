import IR

/// Writes a graph (imported or optimized) as an ONNX `ModelProto` that Netron opens and
/// `onnx.checker` accepts.
///
/// - Standard operators go in the default domain with their canonical ONNX attributes; the
///   compile-time values Kiln keeps as attributes but ONNX takes as inputs (Reshape's shape, Clip's
///   bounds, Pad's pads, Slice's starts…) become small initializers (`ONNXOperatorForms`).
/// - Kiln's operators (Relu6, SiLU, ScaleShift, SqueezeExcite, FusedConv, ExpandDepthwise, Dense, Reorder, …) go in the
///   custom domain `ai.kiln` (declared in `opset_import`), with their attributes, their provenance
///   as the strings attribute `kiln_provenance` and each annotation as an attribute `kiln_<key>`.
/// - Standard operators cannot carry unknown attributes (the checker rejects them), so their
///   provenance and annotations go in the node's `doc_string`, which Netron shows as its description.
/// - Constants are initializers with `raw_data`; every intermediate value has a `value_info` with its
///   shape, so a viewer shows shapes on every edge without running shape inference.
///
/// The default-domain opset is the model's (at least 13, so that every canonical form has an ONNX
/// spelling), raised when an operator needs a newer one (HardSwish 14, Swish 24, …).
public struct ONNXExporter {
    public static let kilnDomain = "ai.kiln"
    public static let kilnDomainVersion = 1

    public var producerName = "kiln"
    public var producerVersion: String
    /// Written in the model's doc_string (e.g. the passes that ran).
    public var note: String

    public init(producerVersion: String, note: String = "") {
        self.producerVersion = producerVersion
        self.note = note
    }

    /// The serialized model.
    public func export(_ graph: Graph) -> [UInt8] {
        let opset = Self.opset(for: graph)
        var names = UniqueNames(graph)
        var forms = ONNXOperatorForms(opset: opset, names: names)
        var nodes: [ONNXNode] = []
        for node in graph.nodes { nodes += forms.nodes(for: node, in: graph) }
        names = forms.names

        var g = ProtobufWriter()
        for node in nodes { g.message(1) { Self.write(node, into: &$0) } }
        g.string(2, graph.info.graphName.isEmpty ? "kiln" : graph.info.graphName)
        for (id, tensor) in graph.constants.sorted(by: { $0.key < $1.key }) {
            g.message(5) { Self.write(tensor, name: names[id], into: &$0) }
        }
        for (name, tensor) in forms.initializers {
            g.message(5) { Self.write(tensor, name: name, into: &$0) }
        }
        for input in graph.inputs { g.message(11) { Self.write(valueInfo: names[input], graph.type(of: input), into: &$0) } }
        for output in graph.outputs { g.message(12) { Self.write(valueInfo: names[output], graph.type(of: output), into: &$0) } }
        let outputs = Set(graph.outputs)
        for node in graph.nodes {
            for value in node.outputs where !outputs.contains(value) {
                g.message(13) { Self.write(valueInfo: names[value], graph.type(of: value), into: &$0) }
            }
        }
        for (name, type) in forms.intermediates { g.message(13) { Self.write(valueInfo: name, type, into: &$0) } }

        var m = ProtobufWriter()
        m.int(1, Self.irVersion(forOpset: opset))
        m.string(2, producerName)
        m.string(3, producerVersion)
        m.string(4, "ai.kiln")
        m.int(5, 1)
        var doc = "Exported by Kiln \(producerVersion)"
        if !graph.info.producerName.isEmpty { doc += " from a model made by \(graph.info.producerName) \(graph.info.producerVersion)" }
        if !note.isEmpty { doc += "; \(note)" }
        m.string(6, doc)
        m.message(7, g)
        m.message(8) { $0.string(1, ""); $0.int(2, opset) }
        if nodes.contains(where: { $0.domain == Self.kilnDomain }) {
            m.message(8) { $0.string(1, Self.kilnDomain); $0.int(2, Self.kilnDomainVersion) }
        }
        return m.bytes
    }

    /// The default-domain opset to write: the model's, at least 13, at least what every node needs.
    static func opset(for graph: Graph) -> Int {
        let model = graph.info.opsets.first { $0.domain == "" || $0.domain == "ai.onnx" }?.version ?? 13
        return graph.nodes.reduce(max(13, model)) { max($0, ONNXOperatorForms.minimumOpset(of: $1.op)) }
    }

    /// The IR version that goes with an opset (onnx's release table), so older readers accept the file.
    static func irVersion(forOpset opset: Int) -> Int {
        switch opset {
        case ...14: 7
        case 15...18: 8
        case 19...20: 9
        case 21...22: 10
        default: 11
        }
    }

    // MARK: - Messages

    private static func write(_ node: ONNXNode, into w: inout ProtobufWriter) {
        for input in node.inputs { w.string(1, input) }
        for output in node.outputs { w.string(2, output) }
        w.string(3, node.name)
        w.string(4, node.opType)
        for (name, value) in node.attributes { w.message(5) { write(attribute: name, value, into: &$0) } }
        if !node.docString.isEmpty { w.string(6, node.docString) }
        if !node.domain.isEmpty { w.string(7, node.domain) }
    }

    /// AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, strings 9, type 20.
    private static func write(attribute name: String, _ value: AttributeValue, into w: inout ProtobufWriter) {
        w.string(1, name)
        switch value {
        case .float(let v): w.float(2, v); w.int(20, 1)
        case .int(let v): w.int(3, v); w.int(20, 2)
        case .string(let v): w.string(4, v); w.int(20, 3)
        case .tensor(let t): w.message(5) { write(t, name: "", into: &$0) }; w.int(20, 4)
        case .floats(let v): for x in v { w.float(7, x) }; w.int(20, 6)
        case .ints(let v): for x in v { w.int(8, x) }; w.int(20, 7)
        case .strings(let v): for x in v { w.string(9, x) }; w.int(20, 8)
        }
    }

    /// TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian, as Kiln stores tensors).
    private static func write(_ tensor: Tensor, name: String, into w: inout ProtobufWriter) {
        for d in tensor.shape { w.int(1, d) }
        w.int(2, Int(tensor.elementType.onnxCode))
        if !name.isEmpty { w.string(8, name) }
        w.data(9, UnsafeRawBufferPointer(rebasing: tensor.storage.bytes[0..<tensor.type.byteCount]))
    }

    /// ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2: { dim 1: { dim_value 1 } } } } }.
    private static func write(valueInfo name: String, _ type: TensorType, into w: inout ProtobufWriter) {
        w.string(1, name)
        w.message(2) { t in
            t.message(1) { tensor in
                tensor.int(1, Int(type.elementType.onnxCode))
                tensor.message(2) { shape in
                    for d in type.shape { shape.message(1) { $0.int(1, d) } }
                }
            }
        }
    }
}

/// One NodeProto to write.
struct ONNXNode {
    var name: String
    var opType: String
    var domain = ""
    var inputs: [String]
    var outputs: [String]
    var attributes: [(String, AttributeValue)] = []
    var docString = ""
}

/// ONNX names for the graph's values: unique (ONNX graphs are SSA), the IR's name when it has one.
/// Also hands out fresh names for the initializers and values the export adds.
struct UniqueNames {
    private var names: [ValueID: String] = [:]
    private var used: Set<String> = []

    init(_ graph: Graph) {
        for index in graph.values.indices {
            let name = graph.values[index].name
            names[ValueID(index)] = fresh(name.isEmpty ? "v\(index)" : name)
        }
    }

    subscript(id: ValueID) -> String { names[id] ?? "v\(id.index)" }

    /// `base`, or `base.1`, `base.2`, … if taken.
    mutating func fresh(_ base: String) -> String {
        var candidate = base, n = 1
        while used.contains(candidate) {
            candidate = "\(base).\(n)"
            n += 1
        }
        used.insert(candidate)
        return candidate
    }
}
