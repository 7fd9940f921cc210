/// `Conv`: 2-D convolution (NCHW), with groups (depthwise when group == C), strides, dilations,
/// explicit pads or `auto_pad`.
///
///     Y[n, m, y, x] = B[m] + Σ_{c ∈ group(m), ky, kx} X[n, c, y·sh + ky·dh − pt, x·sw + kx·dw − pl] · W[m, c', ky, kx]
///
/// Inputs: X [N, C, H, W], W [M, C/group, kH, kW], optional B [M]. `auto_pad` is resolved at import
/// into explicit `pads` [top, left, bottom, right], so later stages see one form.
public struct Conv: Operator, Equatable {
    public static let opType = "Conv"

    public var strides: [Int]
    public var dilations: [Int]
    /// [top, left, bottom, right] (ONNX order: begins then ends).
    public var pads: [Int]
    public var group: Int

    public init(strides: [Int] = [1, 1], dilations: [Int] = [1, 1], pads: [Int] = [0, 0, 0, 0], group: Int = 1) {
        self.strides = strides
        self.dilations = dilations
        self.pads = pads
        self.group = group
    }

    public static func importing(_ node: ImportedNode) throws -> (op: Conv, inputs: [Int]) {
        try node.expectInputs(2...3)
        let x = try node.input(0).type, w = try node.input(1).type
        guard x.rank == 4, w.rank == 4 else {
            throw KilnError("Kiln supports 2-D Conv only (input \(x), weights \(w))")
        }
        let a = node.attributes
        let strides = try a.ints("strides") ?? [1, 1]
        let dilations = try a.ints("dilations") ?? [1, 1]
        let group = try a.int("group", default: 1)
        try SpatialWindow.checkPositivePair(strides, "strides", op: opType)
        try SpatialWindow.checkPositivePair(dilations, "dilations", op: opType)
        if let kernel = try a.ints("kernel_shape"), kernel != Array(w.shape[2...]) {
            throw KilnError("kernel_shape \(kernel) does not match weights \(w)")
        }
        let pads = try SpatialWindow.explicitPads(a, input: Array(x.shape[2...]), kernel: Array(w.shape[2...]),
                                                  strides: strides, dilations: dilations, op: opType)
        return (Conv(strides: strides, dilations: dilations, pads: pads, group: group), node.presentInputs)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 2...3, Self.opType)
        let x = inputs[0], w = inputs[1]
        guard x.rank == 4, w.rank == 4, x.elementType == .float32, w.elementType == .float32 else {
            throw KilnError("Conv needs float32 4-D input and weights, found \(x) and \(w)")
        }
        try SpatialWindow.checkPositivePair(strides, "strides", op: Self.opType)
        try SpatialWindow.checkPositivePair(dilations, "dilations", op: Self.opType)
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else { throw KilnError("Conv pads \(pads) must be four non-negative numbers") }
        guard group > 0, x.shape[1] % group == 0, w.shape[0] % group == 0, w.shape[1] * group == x.shape[1] else {
            throw KilnError("Conv with group \(group): input channels \(x.shape[1]) and weights \(w) do not agree")
        }
        if inputs.count == 3, inputs[2] != TensorType(.float32, [w.shape[0]]) {
            throw KilnError("Conv bias \(inputs[2]) should be float32[\(w.shape[0])]")
        }
        var shape = [x.shape[0], w.shape[0]]
        for i in 0..<2 {
            shape.append(try SpatialWindow.outputSize(input: x.shape[2 + i], kernel: w.shape[2 + i], stride: strides[i],
                                                      dilation: dilations[i], padBegin: pads[i], padEnd: pads[i + 2], op: Self.opType))
        }
        return [TensorType(.float32, shape)]
    }

    public var attributeList: [(String, AttributeValue)] {
        [("strides", .ints(strides)), ("pads", .ints(pads)), ("dilations", .ints(dilations)), ("group", .int(group))]
    }

    /// Output elements × (input channels per group × kernel area).
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        let w = inputs[1].shape
        return w.dropFirst().reduce(outputs[0].elementCount) { $0.multipliedSaturated($1) }
    }
}
