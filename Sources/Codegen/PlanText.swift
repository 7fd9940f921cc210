import IR

extension KernelPlan {
    /// The plan as text, for golden tests and for reading: per function its name, the node it
    /// implements and where the result goes, then each call with its arguments labelled.
    ///
    ///     k000_stem  FusedConv 'stem' -> arena+0 NHWC [1x16x8x8]
    ///       f32_conv_direct_bias_act(n=1, cin=3, h=16, w=16, in=input, isn=768, …)
    public var text: String {
        var out = "# arena \(arenaBytes) bytes, scratch \(scratchBytes) bytes, weights \(weights.count) bytes\n"
        for function in functions {
            var line = "\(function.name)  \(function.node.opType) '\(function.node.name)'"
            if let output = function.output {
                line += " -> \(Self.text(.buffer(output.buffer))) \(output.layout.rawValue) [\(output.shape.map(String.init).joined(separator: "x"))]"
            }
            out += line + "\n"
            for call in function.calls {
                let arguments = call.labelled.map { "\($0.name)=\(Self.text($0.argument))" }.joined(separator: ", ")
                out += "  \(call.kernel)(\(arguments))\n"
            }
        }
        return out
    }

    static func text(_ argument: Argument) -> String {
        switch argument {
        case .size(let v): "\(v)"
        case .real(let v): "\(v)"
        case .none: "null"
        case .activation(let a): "\(a)"
        case .dims(let d): "[" + d.map(String.init).joined(separator: "x") + "]"
        case .strides(let s): "(" + s.map(String.init).joined(separator: ",") + ")"
        // KILN_BINOP_ADD reads `add`, KILN_F32 `f32`.
        case .choice(let name): name.split(separator: "_").last.map { $0.lowercased() } ?? name
        case .parameter(let name): name
        case .buffer(let b):
            switch b {
            case .input(let i, let o): (i == 0 ? "input" : "input\(i)") + (o == 0 ? "" : "+\(o)")
            case .output(let i, let o): (i == 0 ? "output" : "output\(i)") + (o == 0 ? "" : "+\(o)")
            case .arena(let o): "arena+\(o)"
            case .weights(let o): "weights+\(o)"
            case .scratch(let o): "scratch+\(o)"
            }
        }
    }
}

/// Source text shared by the printers.
enum SourceText {
    /// `head` followed by `items` separated by ", " and closed by `close`, wrapped before 120 columns
    /// with continuation lines indented by eight spaces: the printers' kernel calls.
    static func wrappedCall(_ head: String, _ items: [String], close: String) -> String {
        let continuation = "        "
        var out = head
        var column = out.count
        for (index, item) in items.enumerated() {
            let text = item + (index + 1 < items.count ? "," : close)
            if index > 0 {
                if column + 1 + text.count > 118 {
                    out += "\n" + continuation
                    column = continuation.count
                } else {
                    out += " "
                    column += 1
                }
            }
            out += text
            column += text.count
        }
        if items.isEmpty { out += close }
        return out + "\n"
    }
}
