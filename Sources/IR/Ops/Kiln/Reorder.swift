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
