/// `AveragePool`: the mean of each 2-D window (NCHW).
///
///     Y[n, c, y, x] = (1 / count) · Σ_{ky, kx} X[n, c, y·sh + ky·dh − pt, x·sw + kx·dw − pl]
///
/// where the sum runs over the taps inside the input, and `count` is the number of those taps, or
/// with `count_include_pad` the number of taps inside the padded input (pads count as zeros; taps
/// beyond the end padding, which only `ceil_mode` windows reach, never count). `auto_pad` is
/// resolved at import into explicit pads (see `SpatialWindow`).
public struct AveragePool: Operator, Equatable {
    public static let opType = "AveragePool"

    public var window: PoolWindow
    public var countIncludePad: Bool

    public init(window: PoolWindow, countIncludePad: Bool = false) {
        self.window = window
        self.countIncludePad = countIncludePad
    }

    public static func importing(_ node: ImportedNode) throws -> (op: AveragePool, inputs: [Int]) {
        let window = try PoolWindow.importing(node, op: opType)
        let countIncludePad = try node.attributes.int("count_include_pad", default: 0) != 0
        return (AveragePool(window: window, countIncludePad: countIncludePad), [0])
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 1...1, Self.opType)
        return [try window.outputType(inputs[0], op: Self.opType)]
    }

    public var attributeList: [(String, AttributeValue)] {
        window.attributeList + [("count_include_pad", .int(countIncludePad ? 1 : 0))]
    }
}
