/// `Pad`: grows (or, with negative pads, crops) each axis at both ends.
///
/// With `b = pads[d]`, `e = pads[r + d]` on axis d of size n, the axis is first cropped to the
/// window [max(0, −b), n − max(0, −e)) of length m, then padded by max(0, b) in front and
/// max(0, e) behind, so `Y.shape[d] = n + b + e`. An output coordinate k ∈ [−max(0,b), m + max(0,e))
/// of the window reads window element
///
///     constant: none (the element is `value`)      edge: clamp(k, 0, m − 1)
///     reflect:  −k if k < 0, 2(m − 1) − k if k ≥ m (pads ≤ m − 1, as onnxruntime requires)
///     wrap:     k mod m
///
/// Opsets 2–10 give `pads` and `value` as attributes; from 11 they are inputs (`pads`, optional
/// `constant_value`), and from 18 an optional `axes` input says which axes the pads refer to. All
/// must be compile-time constants; import stores the full-rank `pads` and a scalar `value` of the
/// input's element type.
public struct Pad: Operator, Equatable {
    public static let opType = "Pad"

    public enum Mode: String, Sendable { case constant, reflect, edge, wrap }

    /// [begin_0, …, begin_(r−1), end_0, …, end_(r−1)], negative entries crop.
    public var pads: [Int]
    public var mode: Mode
    /// A scalar (shape []) of the input's element type; used in constant mode.
    public var value: Tensor

    public init(pads: [Int], mode: Mode = .constant, value: Tensor) {
        self.pads = pads
        self.mode = mode
        self.value = value
    }

    public static func == (a: Pad, b: Pad) -> Bool {
        a.pads == b.pads && a.mode == b.mode && a.value.hasSameContents(as: b.value)
    }

    public static func importing(_ node: ImportedNode) throws -> (op: Pad, inputs: [Int]) {
        let modeName = try node.attributes.string("mode") ?? "constant"
        guard let mode = Mode(rawValue: modeName), mode != .wrap || node.opset >= 19 else {
            throw KilnError("Pad mode '\(modeName)' is not supported at opset \(node.opset)")
        }
        let x = try node.input(0).type
        var pads: [Int], value: Tensor
        if node.opset < 11 {
            try node.expectInputs(1...1)
            guard let attribute = try node.attributes.ints("pads") else { throw KilnError("Pad needs a 'pads' attribute") }
            pads = attribute
            value = try Tensor.scalar(Double(try node.attributes.float("value", default: 0)), as: x.elementType)
        } else {
            try node.expectInputs(2...(node.opset >= 18 ? 4 : 3))
            guard let padsTensor = try node.constantInput(1, "Pad pads") else { throw KilnError("Pad needs pads") }
            pads = try ShapeSupport.integers(padsTensor, "Pad pads")
            value = try Tensor.scalar(0, as: x.elementType)
            if let given = try node.constantInput(2, "Pad constant_value") {
                guard given.elementType == x.elementType, given.elementCount == 1 else {
                    throw KilnError("Pad constant_value \(given.type) should be one \(x.elementType.rawValue) element")
                }
                value = given.reshaped([])
            }
            if let axesTensor = try node.constantInput(3, "Pad axes") {
                let axes = try ShapeSupport.axes(try ShapeSupport.integers(axesTensor, "Pad axes"), rank: x.rank, opType)
                guard pads.count == 2 * axes.count else {
                    throw KilnError("Pad has \(pads.count) pads for \(axes.count) axes; expected twice as many")
                }
                var full = [Int](repeating: 0, count: 2 * x.rank)
                for (i, a) in axes.enumerated() {
                    full[a] = pads[i]
                    full[x.rank + a] = pads[axes.count + i]
                }
                pads = full
            }
        }
        return (Pad(pads: pads, mode: mode, value: value), [0])
    }

    /// Per axis: the cropped window [start, start + length) of the input, and the padding in
    /// front and behind it. Validates the pads against `shape` and the mode.
    public func windows(for shape: [Int]) throws -> [(start: Int, length: Int, before: Int, after: Int)] {
        let rank = shape.count
        guard pads.count == 2 * rank else { throw KilnError("Pad has \(pads.count) pads for a rank-\(rank) input") }
        return try (0..<rank).map { d in
            let n = shape[d], b = pads[d], e = pads[rank + d]
            // Checking b, e ≥ −n first keeps the negations below from overflowing.
            guard b >= -n, e >= -n, max(0, -b) + max(0, -e) <= n else {
                throw KilnError("Pad pads \(pads) crop more than axis \(d) of \(shape) holds")
            }
            let cropFront = max(0, -b), cropBack = max(0, -e)
            let m = n - cropFront - cropBack, before = max(0, b), after = max(0, e)
            if before > 0 || after > 0 {
                switch mode {
                case .constant: break
                case .edge, .wrap:
                    guard m > 0 else { throw KilnError("Pad mode \(mode.rawValue) cannot pad an empty axis \(d)") }
                case .reflect:
                    guard before < m, after < m else {
                        throw KilnError("Pad reflect pads \(pads) exceed the size \(m) − 1 of axis \(d)")
                    }
                }
            }
            return (cropFront, m, before, after)
        }
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        let x = inputs[0]
        guard value.type == TensorType(x.elementType, []) else {
            throw KilnError("Pad value \(value.type) does not match the input \(x)")
        }
        let shape = try windows(for: x.shape).map { try ShapeSupport.add($0.length, try ShapeSupport.add($0.before, $0.after, "Pad size"), "Pad size") }
        return [try ShapeSupport.checkedType(x.elementType, shape)]
    }

    /// The text IR gives pads and value as attributes; the value takes the input's element type.
    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Pad {
        let modeName = try attributes.string("mode") ?? "constant"
        guard let mode = Mode(rawValue: modeName) else { throw KilnError("Pad mode '\(modeName)' is unknown") }
        guard let x = inputTypes.first else { throw KilnError("Pad needs an input") }
        return Pad(pads: try attributes.requiredInts("pads", opType), mode: mode,
                   value: try attributes.scalar("value", as: x.elementType, opType))
    }

    public var attributeList: [(String, AttributeValue)] {
        [("mode", .string(mode.rawValue)), ("pads", .ints(pads)), ("value", value.scalarAttribute)]
    }
}
