/// `MaxPool`: the maximum of each 2-D window (NCHW).
///
///     Y[n, c, y, x] = max_{ky, kx} X[n, c, y·sh + ky·dh − pt, x·sw + kx·dw − pl]
///
/// over the taps inside the input (padding never wins). `auto_pad` is resolved at import into
/// explicit pads (see `SpatialWindow`). The optional `Indices` output is not supported, so
/// `storage_order`, which only affects it, is ignored.
public struct MaxPool: Operator, Equatable {
    public static let opType = "MaxPool"

    public var window: PoolWindow

    public init(window: PoolWindow) { self.window = window }

    public static func importing(_ node: ImportedNode) throws -> (op: MaxPool, inputs: [Int]) {
        guard node.outputCount == 1 else {
            throw KilnError("MaxPool's Indices output is not supported")
        }
        return (MaxPool(window: try PoolWindow.importing(node, op: opType)), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        return [try window.outputType(inputs[0], op: Self.opType)]
    }

    public var attributeList: [(String, AttributeValue)] { window.attributeList }
}
