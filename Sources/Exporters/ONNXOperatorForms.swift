import IR

/// How each IR operator is spelled as ONNX at a given opset: the inverse of the importers'
/// normalization. Canonical attributes that ONNX takes as inputs become initializers named after
/// the node (`<node>_shape`, `<node>_min`…). Three forms take more than one node or change the op:
/// a multi-axis Softmax, which no ONNX opset from 13 has, becomes Reshape → Softmax → Reshape; a
/// Dropout mask of the data's type (opsets before 10) is Cast from the bool mask; a ReduceMean over
/// no axes (Kiln's identity form) is an Identity before opset 18.
struct ONNXOperatorForms {
    let opset: Int
    var names: UniqueNames
    /// Initializers the forms add.
    private(set) var initializers: [(String, Tensor)] = []
    /// Values the forms add between nodes, for `value_info`.
    private(set) var intermediates: [(String, TensorType)] = []

    init(opset: Int, names: UniqueNames) {
        self.opset = opset
        self.names = names
    }

    /// The default-domain opset an operator needs at least (13 for everything else).
    static func minimumOpset(of op: any Operator) -> Int {
        switch op {
        case is HardSwish: 14
        case let op as Reshape where op.allowZero: 14
        case let op as Shape where op.start != 0 || op.end != nil: 15
        case let op as Pad where op.mode == .wrap: 19
        case let op as AveragePool where op.window.dilations != [1, 1]: 19
        case is Swish: 24
        default: 13
        }
    }

    static func isKilnOperator(_ op: any Operator) -> Bool { OperatorRegistry.kilnOperators[op.opType] != nil }

    mutating func nodes(for node: Node, in graph: Graph) -> [ONNXNode] {
        let inputs = node.inputs.map { names[$0] }, outputs = node.outputs.map { names[$0] }
        var result = ONNXNode(name: node.name, opType: node.op.opType, inputs: inputs, outputs: outputs,
                              attributes: node.op.attributeList)
        if Self.isKilnOperator(node.op) {
            result.domain = ONNXExporter.kilnDomain
            result.attributes.append(("kiln_provenance", .strings(node.provenance)))
            for (key, value) in node.annotations.sorted(by: { $0.key < $1.key }) {
                result.attributes.append(("kiln_\(key)", value))
            }
            return [result]
        }
        result.docString = Self.docString(node)
        let inputTypes = node.inputs.map(graph.type(of:))
        switch node.op {
        case is Conv:
            if let w = inputTypes.dropFirst().first, w.rank == 4 { result.attributes.append(("kernel_shape", .ints(Array(w.shape[2...])))) }
        case let op as AveragePool where op.window.dilations == [1, 1]:
            result.attributes.removeAll { $0.0 == "dilations" }
        case let op as ReduceMean:
            result.attributes = [("keepdims", .int(op.keepdims ? 1 : 0))]
            if op.axes.isEmpty {
                // Kiln's identity form: no axes (noop_with_empty_axes), which opsets before 18 cannot say.
                if opset >= 18 {
                    result.attributes.append(("noop_with_empty_axes", .int(1)))
                } else {
                    result.opType = "Identity"
                    result.attributes = []
                }
            } else if opset >= 18 {
                result.inputs.append(initializer(node, "axes", int64s: op.axes))
            } else {
                result.attributes.append(("axes", .ints(op.axes)))
            }
        case let op as Softmax:
            if op.axes.count == 1 {
                result.attributes = [("axis", .int(op.axes[0]))]
            } else if let x = inputTypes.first {
                return softmaxOverRun(op, node: result, input: x)
            }
        case let op as Shape:
            result.attributes = op.start != 0 ? [("start", .int(op.start))] : []
            if let end = op.end { result.attributes.append(("end", .int(end))) }
        case let op as Reshape:
            result.attributes = op.allowZero ? [("allowzero", .int(1))] : []
            result.inputs.append(initializer(node, "shape", int64s: op.shape))
        case let op as Squeeze:
            result.attributes = []
            if let axes = op.axes { result.inputs.append(initializer(node, "axes", int64s: axes)) }
        case let op as Unsqueeze:
            result.attributes = []
            result.inputs.append(initializer(node, "axes", int64s: op.axes))
        case let op as Pad:
            result.attributes = [("mode", .string(op.mode.rawValue))]
            result.inputs.append(initializer(node, "pads", int64s: op.pads))
            // Written in every mode (ONNX ignores it outside constant mode) so the node reads back equal.
            result.inputs.append(initializer(node, "value", op.value))
        case let op as ConstantOfShape:
            result.attributes = [("value", .tensor(op.value.reshaped([1])))]
            result.inputs = [initializer(node, "shape", int64s: op.shape)]
        case let op as Slice:
            result.attributes = []
            for (role, list) in [("starts", op.starts), ("ends", op.ends), ("axes", op.axes), ("steps", op.steps)] {
                result.inputs.append(initializer(node, role, int64s: list))
            }
        case let op as Expand:
            result.attributes = []
            result.inputs.append(initializer(node, "shape", int64s: op.shape))
        case let op as Clip:
            result.attributes = []
            let type = inputTypes.first?.elementType ?? .float32
            // An omitted optional input is an empty name; trailing ones are left out.
            if let min = op.min { result.inputs.append(initializer(node, "min", scalar(Double(min), type))) }
            if let max = op.max {
                if op.min == nil { result.inputs.append("") }
                result.inputs.append(initializer(node, "max", scalar(Double(max), type)))
            }
        case let op as Dropout:
            result.attributes = []
            if op.maskType != .bool, result.outputs.count == 2, let x = inputTypes.first {
                // Before opset 10 the mask had the data's type; from 13 it is bool: cast it back.
                let mask = names.fresh("\(node.name)_mask")
                intermediates.append((mask, TensorType(.bool, x.shape)))
                let cast = ONNXNode(name: "\(node.name)_mask_cast", opType: "Cast", inputs: [mask], outputs: [result.outputs[1]],
                                    attributes: [("to", .int(Int(op.maskType.onnxCode)))])
                result.outputs[1] = mask
                return [result, cast]
            }
        case let op as Cast:
            result.attributes = [("to", .int(Int(op.to.onnxCode)))]
        default:
            break
        }
        return [result]
    }

    /// Softmax over the contiguous axes [a, a + k): reshape to [outer, inner, trailing], take the
    /// softmax over axis 1, reshape back.
    private mutating func softmaxOverRun(_ op: Softmax, node: ONNXNode, input x: TensorType) -> [ONNXNode] {
        guard let first = op.axes.first else { return [node] }
        let run = first..<(first + op.axes.count)
        let outer = x.shape[..<run.lowerBound].reduce(1, *), inner = x.shape[run].reduce(1, *)
        let trailing = x.shape[run.upperBound...].reduce(1, *)
        let flat = TensorType(x.elementType, [outer, inner, trailing])
        let flatIn = names.fresh("\(node.name)_flat"), flatOut = names.fresh("\(node.name)_flat_softmax")
        intermediates += [(flatIn, flat), (flatOut, flat)]
        let toFlat = ONNXNode(name: "\(node.name)_flatten", opType: "Reshape",
                              inputs: [node.inputs[0], initializer(named: "\(node.name)_flat_shape", int64s: flat.shape)],
                              outputs: [flatIn])
        var softmax = node
        softmax.inputs = [flatIn]
        softmax.outputs = [flatOut]
        softmax.attributes = [("axis", .int(1))]
        let back = ONNXNode(name: "\(node.name)_unflatten", opType: "Reshape",
                            inputs: [flatOut, initializer(named: "\(node.name)_shape", int64s: x.shape)],
                            outputs: node.outputs)
        return [toFlat, softmax, back]
    }

    private mutating func initializer(_ node: Node, _ role: String, int64s values: [Int]) -> String {
        initializer(named: "\(node.name)_\(role)", int64s: values)
    }

    private mutating func initializer(named base: String, int64s values: [Int]) -> String {
        let name = names.fresh(base)
        initializers.append((name, Tensor(shape: [values.count], int64s: values.map(Int64.init))))
        return name
    }

    private mutating func initializer(_ node: Node, _ role: String, _ tensor: Tensor) -> String {
        let name = names.fresh("\(node.name)_\(role)")
        initializers.append((name, tensor))
        return name
    }

    /// A scalar tensor of `type` holding `value` (already validated by the operator).
    private func scalar(_ value: Double, _ type: ElementType) -> Tensor {
        let shape = TensorType(type, [])
        func clamped<T: FixedWidthInteger>(_: T.Type) -> T {
            value.isNaN ? 0 : value >= Double(T.max) ? T.max : value <= Double(T.min) ? T.min : T(value)
        }
        switch type {
        case .float32: return Tensor(copying: [Float(value)], as: shape)
        case .float64: return Tensor(copying: [value], as: shape)
        case .int64: return Tensor(copying: [clamped(Int64.self)], as: shape)
        case .int32: return Tensor(copying: [clamped(Int32.self)], as: shape)
        case .int8: return Tensor(copying: [clamped(Int8.self)], as: shape)
        case .uint8: return Tensor(copying: [clamped(UInt8.self)], as: shape)
        case .bool: return Tensor(copying: [UInt8(value != 0 ? 1 : 0)], as: shape)
        }
    }

    /// Provenance and annotations of a standard-domain node, which cannot carry them as attributes.
    static func docString(_ node: Node) -> String {
        var lines: [String] = []
        if node.provenance != [node.name] { lines.append("absorbs: \(node.provenance.joined(separator: ", "))") }
        for (key, value) in node.annotations.sorted(by: { $0.key < $1.key }) { lines.append("\(key) = \(value)") }
        return lines.joined(separator: "\n")
    }
}
