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
        guard strides.count == 2, dilations.count == 2, strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }) else {
            throw KilnError("Conv strides \(strides) and dilations \(dilations) must be two positive numbers")
        }
        if let kernel = try a.ints("kernel_shape"), kernel != Array(w.shape[2...]) {
            throw KilnError("kernel_shape \(kernel) does not match weights \(w)")
        }
        let kernel = Array(w.shape[2...])
        let autoPad = try a.string("auto_pad") ?? "NOTSET"
        var pads: [Int]
        switch autoPad {
        case "NOTSET":
            pads = try a.ints("pads") ?? [0, 0, 0, 0]
        case "VALID":
            pads = [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            pads = [0, 0, 0, 0]
            for i in 0..<2 {
                let input = x.shape[2 + i]
                let output = (input + strides[i] - 1) / strides[i]
                let effective = (kernel[i] - 1) * dilations[i] + 1
                let total = max(0, (output - 1) * strides[i] + effective - input)
                let small = total / 2, large = total - small
                pads[i] = autoPad == "SAME_UPPER" ? small : large
                pads[i + 2] = autoPad == "SAME_UPPER" ? large : small
            }
        default:
            throw KilnError("unknown auto_pad '\(autoPad)'")
        }
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 }) else { throw KilnError("Conv pads \(pads) must be four non-negative numbers") }
        return (Conv(strides: strides, dilations: dilations, pads: pads, group: group), node.presentInputs)
    }

    public func inferTypes(_ inputs: [TensorType]) throws -> [TensorType] {
        try expectInputCount(inputs, 2...3, Self.opType)
        let x = inputs[0], w = inputs[1]
        guard x.rank == 4, w.rank == 4, x.elementType == .float32, w.elementType == .float32 else {
            throw KilnError("Conv needs float32 4-D input and weights, found \(x) and \(w)")
        }
        guard group > 0, x.shape[1] % group == 0, w.shape[0] % group == 0, w.shape[1] * group == x.shape[1] else {
            throw KilnError("Conv with group \(group): input channels \(x.shape[1]) and weights \(w) do not agree")
        }
        if inputs.count == 3, inputs[2].shape != [w.shape[0]] {
            throw KilnError("Conv bias \(inputs[2]) should have shape [\(w.shape[0])]")
        }
        var shape = [x.shape[0], w.shape[0]]
        for i in 0..<2 {
            let effective = (w.shape[2 + i] - 1) * dilations[i] + 1
            let padded = x.shape[2 + i] + pads[i] + pads[i + 2]
            guard padded >= effective else { throw KilnError("Conv kernel \(w.shape[2...]) is larger than the padded input \(x)") }
            shape.append((padded - effective) / strides[i] + 1)
        }
        return [TensorType(.float32, shape)]
    }

    public var attributeList: [(String, AttributeValue)] {
        [("strides", .ints(strides)), ("pads", .ints(pads)), ("dilations", .ints(dilations)), ("group", .int(group))]
    }

    /// Output elements × (input channels per group × kernel area).
    public func macs(inputs: [TensorType], outputs: [TensorType]) -> Int {
        let w = inputs[1].shape
        return outputs[0].elementCount * w[1] * w[2] * w[3]
    }
}
