import IR

/// Writes a graph as Graphviz `dot` text: one box per operator, labeled with its op, key
/// attributes, the constants it reads (weights are folded into the label, not drawn), its output
/// shape and its layout; edges carry the shape of the tensor they move. Nodes that absorbed other
/// ONNX nodes (fusions) are filled and double-bordered, with the absorbed nodes in the tooltip.
///
///     kiln inspect model.onnx --optimized --format dot -o model.dot && dot -Tsvg model.dot -o model.svg
public struct DotExporter {
    public init() {}

    public func export(_ graph: Graph) -> String {
        var out = "digraph \(Self.quoted(graph.info.graphName.isEmpty ? "kiln" : graph.info.graphName)) {\n"
        out += "  rankdir=TB;\n"
        out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n"
        // Where each value comes from: a graph input or a node.
        var source: [ValueID: String] = [:]
        for (i, input) in graph.inputs.enumerated() {
            let id = "input\(i)"
            source[input] = id
            out += "  \(id) [shape=oval, fillcolor=\"#e8f5e9\", label=\(Self.quoted("\(graph[input].name)\n\(graph.type(of: input))"))];\n"
        }
        for (index, node) in graph.nodes.enumerated() {
            let id = "n\(index)"
            var attributes = ["label=\(Self.quoted(label(node, in: graph)))"]
            if node.provenance.count > 1 {
                attributes += ["fillcolor=\"#fff3cd\"", "peripheries=2",
                               "tooltip=\(Self.quoted("absorbs: " + node.provenance.joined(separator: ", ")))"]
            } else {
                attributes.append("tooltip=\(Self.quoted(node.name))")
            }
            out += "  \(id) [\(attributes.joined(separator: ", "))];\n"
            for input in node.inputs where graph.constants[input] == nil {
                if let from = source[input] {
                    out += "  \(from) -> \(id) [label=\(Self.quoted(Self.shape(graph.type(of: input))))];\n"
                }
            }
            for output in node.outputs { source[output] = id }
        }
        for (i, output) in graph.outputs.enumerated() {
            let id = "output\(i)"
            out += "  \(id) [shape=oval, fillcolor=\"#e3f2fd\", label=\(Self.quoted("\(graph[output].name)\n\(graph.type(of: output))"))];\n"
            if let from = source[output] {
                out += "  \(from) -> \(id) [label=\(Self.quoted(Self.shape(graph.type(of: output))))];\n"
            }
        }
        return out + "}\n"
    }

    /// op, key attributes, constant inputs, output shape and layout, one per line.
    func label(_ node: Node, in graph: Graph) -> String {
        var lines = [node.op.opType]
        let key = keyAttributes(node, in: graph)
        if !key.isEmpty { lines.append(key) }
        let constants = node.inputs.compactMap { graph.constants[$0] }
        if !constants.isEmpty {
            lines.append("const " + constants.map { Self.shape($0.type) }.joined(separator: ", "))
        }
        var result = "→ " + node.outputs.map { Self.shape(graph.type(of: $0)) }.joined(separator: ", ")
        if case .string(let layout)? = node.annotations["layout"] { result += "  \(layout)" }
        lines.append(result)
        if node.provenance.count > 1 { lines.append("fuses \(node.provenance.count) ONNX nodes") }
        return lines.joined(separator: "\n")
    }

    /// A short summary of what distinguishes this node: kernel, stride, group and epilogue for
    /// convolutions; the attribute list (long lists cut) for everything else.
    func keyAttributes(_ node: Node, in graph: Graph) -> String {
        func convSummary(_ conv: Conv, weights slot: Int = 1) -> [String] {
            var parts: [String] = []
            let w = node.inputs.count > slot ? graph.type(of: node.inputs[slot]) : TensorType(.float32, [])
            if w.rank == 4 { parts.append("\(w.shape[2])x\(w.shape[3])") }
            if conv.strides != [1, 1] { parts.append("s\(conv.strides.map(String.init).joined(separator: "x"))") }
            if conv.group != 1 { parts.append(w.rank == 4 && w.shape[1] == 1 ? "depthwise" : "g\(conv.group)") }
            if conv.dilations != [1, 1] { parts.append("d\(conv.dilations.map(String.init).joined(separator: "x"))") }
            return parts
        }
        switch node.op {
        case let op as Conv:
            return convSummary(op).joined(separator: " ")
        case let op as FusedConv:
            var parts = convSummary(op.conv)
            if op.activation != .none { parts.append("+\(op.activation)") }
            if node.inputs.count == 4 { parts.append(op.residualFirst ? "+residual (before act)" : "+residual") }
            return parts.joined(separator: " ")
        case let op as ExpandDepthwise:
            // The first conv (1×1 for an expand, the stem's k×k; weights in slot 1), then the depthwise conv
            // (weights in slot 3).
            var parts = convSummary(op.expand) + (op.expandActivation != .none ? ["+\(op.expandActivation)", "→"] : ["→"])
            parts += convSummary(op.depthwise, weights: 3)
            if op.activation != .none { parts.append("+\(op.activation)") }
            if let project = op.projectActivation {  // the project 1×1 conv (weights in slot 5)
                parts += ["→"] + convSummary(Conv(), weights: 5)
                if project != .none { parts.append("+\(project)") }
                if op.residualSlot(inputCount: node.inputs.count) != nil { parts.append("+residual") }
            }
            return parts.joined(separator: " ")
        default:
            return node.op.attributeList.map { "\($0.0)=\(Self.short($0.1))" }.joined(separator: " ")
        }
    }

    static func shape(_ type: TensorType) -> String {
        type.shape.isEmpty ? "scalar" : type.shape.map(String.init).joined(separator: "x")
    }

    static func short(_ value: AttributeValue) -> String {
        switch value {
        case .ints(let v) where v.count > 6: "[\(v.prefix(6).map(String.init).joined(separator: ","))…]"
        case .ints(let v): "[\(v.map(String.init).joined(separator: ","))]"
        case .floats(let v) where v.count > 6: "[\(v.prefix(6).map { "\($0)" }.joined(separator: ","))…]"
        case .string(let s): s
        default: value.description
        }
    }

    /// A DOT string literal: quotes and backslashes escaped, newlines as `\n` (centered lines),
    /// other control characters dropped, so no model name can break out of the label.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value >= 0x20 && scalar.value != 0x7f { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
