/// The physical memory layout of a 4-D activation tensor. The IR's shapes stay logical NCHW
/// whatever the layout; layouts are a decision for code generation, recorded by `select-layout`.
public enum Layout: String, Sendable, Hashable, CaseIterable {
    /// Row-major [N, C, H, W]: ONNX's layout, and that of graph inputs and outputs.
    case nchw = "NCHW"
    /// Row-major [N, H, W, C]: channels contiguous, the natural layout for 1×1 convs as GEMMs and
    /// for depthwise convs vectorized over channels.
    case nhwc = "NHWC"
    /// [N, C/8, H, W, 8]: channel blocks of one AVX2 vector.
    case nchw8c = "NCHW8c"
    /// [N, C/16, H, W, 16]: channel blocks of one AVX-512 vector.
    case nchw16c = "NCHW16c"
}

/// `Reorder` (Kiln): converts a tensor between physical layouts. Logically the identity (shapes are
/// logical), so the reference interpreter copies; generated code permutes the memory.
public struct Reorder: Operator, Equatable {
    public static let opType = "Reorder"

    public var from: Layout
    public var to: Layout

    public init(from: Layout, to: Layout) {
        self.from = from
        self.to = to
    }

    public static func importing(_ node: ImportedNode) throws -> (op: Reorder, inputs: [Int]) {
        try node.expectInputs(1...1)
        return (try parse(node.attributes, inputTypes: []), [0])
    }

    public static func parse(_ attributes: Attributes, inputTypes: [TensorType]) throws -> Reorder {
        func layout(_ name: String) throws -> Layout {
            let text = try attributes.string(name) ?? ""
            guard let layout = Layout(rawValue: text) else { throw KilnError("Reorder \(name) '\(text)' is not a layout") }
            return layout
        }
        return Reorder(from: try layout("from"), to: try layout("to"))
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        try require(inputs[0].rank == 4, "Reorder needs a 4-D tensor, found \(inputs[0])")
        return [inputs[0]]
    }

    public var attributeList: [(String, AttributeValue)] { [("from", .string(from.rawValue)), ("to", .string(to.rawValue))] }
}
