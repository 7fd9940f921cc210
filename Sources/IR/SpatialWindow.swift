/// Sliding-window arithmetic shared by `Conv`, `AveragePool` and `MaxPool` (2-D, NCHW), so the
/// `auto_pad` rules and the output-size formula live in one place.
///
/// Along one spatial axis with input length `in`, kernel `k`, stride `s`, dilation `d` and pads
/// `pb` (begin) and `pe` (end), the window covers `e = (k − 1)·d + 1` input positions and
///
///     out = ⌊(in + pb + pe − e) / s⌋ + 1                 (ceil_mode = 0)
///     out = ⌈(in + pb + pe − e) / s⌉ + 1                 (ceil_mode = 1, minus one if the last
///                                                          window would start inside the end padding)
public enum SpatialWindow {
    /// The explicit pads [top, left, bottom, right] a node asks for: its `pads` attribute, or the
    /// pads its `auto_pad` implies for an input of spatial size `input`.
    ///
    /// `SAME_UPPER`/`SAME_LOWER` pad so that `out = ⌈in / s⌉`, with the odd extra pad at the end
    /// (UPPER) or at the beginning (LOWER); `VALID` pads nothing.
    public static func explicitPads(_ attributes: Attributes, input: [Int], kernel: [Int], strides: [Int],
                                    dilations: [Int], op: String) throws -> [Int] {
        let autoPad = try attributes.string("auto_pad") ?? "NOTSET"
        let pads: [Int]
        switch autoPad {
        case "NOTSET":
            pads = try attributes.ints("pads") ?? [0, 0, 0, 0]
        case "VALID":
            pads = [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            var same = [0, 0, 0, 0]
            for i in 0..<2 {
                let output = (input[i] + strides[i] - 1) / strides[i]
                let effective = (kernel[i] - 1) * dilations[i] + 1
                let total = max(0, (output - 1) * strides[i] + effective - input[i])
                let small = total / 2, large = total - small
                same[i] = autoPad == "SAME_UPPER" ? small : large
                same[i + 2] = autoPad == "SAME_UPPER" ? large : small
            }
            pads = same
        default:
            throw KilnError("\(op): unknown auto_pad '\(autoPad)'")
        }
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else {
            throw KilnError("\(op) pads \(pads) must be four non-negative numbers [top, left, bottom, right]")
        }
        return pads
    }

    /// Checks that `values` (strides, dilations or a kernel shape) are two positive numbers of sane size.
    public static func checkPositivePair(_ values: [Int], _ role: String, op: String) throws {
        guard values.count == 2, values.allSatisfy({ $0 > 0 && $0 < 1 << 20 }) else {
            throw KilnError("\(op) \(role) \(values) must be two positive numbers")
        }
    }

    /// The output length along one axis (see the type's doc comment), or an error when the
    /// window does not fit in the padded input.
    public static func outputSize(input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int,
                                  ceilMode: Bool = false, op: String) throws -> Int {
        let effective = (kernel - 1) * dilation + 1
        let span = input + padBegin + padEnd - effective
        guard span >= 0 else {
            throw KilnError("\(op) window of \(effective) does not fit in the padded input of \(input + padBegin + padEnd)")
        }
        var output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        // A window starting in the end padding would see no input: ONNX and onnxruntime drop it.
        if ceilMode, (output - 1) * stride >= input + padBegin { output -= 1 }
        return output
    }
}

/// The window of a 2-D pooling operator (`AveragePool`, `MaxPool`), in canonical form: explicit
/// pads [top, left, bottom, right], `auto_pad` already resolved.
public struct PoolWindow: Equatable, Sendable {
    public var kernel: [Int]
    public var strides: [Int]
    public var dilations: [Int]
    public var pads: [Int]
    public var ceilMode: Bool

    public init(kernel: [Int], strides: [Int] = [1, 1], dilations: [Int] = [1, 1], pads: [Int] = [0, 0, 0, 0],
                ceilMode: Bool = false) {
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.pads = pads
        self.ceilMode = ceilMode
    }

    /// Reads `kernel_shape`, `strides`, `dilations`, `pads`/`auto_pad` and `ceil_mode` of a pooling node.
    public static func importing(_ node: ImportedNode, op: String) throws -> PoolWindow {
        try node.expectInputs(1...1)
        let x = try node.input(0).type
        guard x.rank == 4 else { throw KilnError("Kiln supports 2-D \(op) only (input \(x))") }
        let a = node.attributes
        guard let kernel = try a.ints("kernel_shape") else { throw KilnError("\(op) needs a kernel_shape") }
        let strides = try a.ints("strides") ?? [1, 1]
        let dilations = try a.ints("dilations") ?? [1, 1]
        try SpatialWindow.checkPositivePair(kernel, "kernel_shape", op: op)
        try SpatialWindow.checkPositivePair(strides, "strides", op: op)
        try SpatialWindow.checkPositivePair(dilations, "dilations", op: op)
        let pads = try SpatialWindow.explicitPads(a, input: Array(x.shape[2...]), kernel: kernel, strides: strides,
                                                  dilations: dilations, op: op)
        let ceilMode = try a.int("ceil_mode", default: 0) != 0
        return PoolWindow(kernel: kernel, strides: strides, dilations: dilations, pads: pads, ceilMode: ceilMode)
    }

    /// The output type for a float32 input [N, C, H, W].
    public func outputType(_ x: TensorType, op: String) throws -> TensorType {
        guard x.rank == 4, x.elementType == .float32 else { throw KilnError("\(op) needs a float32 4-D input, found \(x)") }
        try SpatialWindow.checkPositivePair(kernel, "kernel_shape", op: op)
        try SpatialWindow.checkPositivePair(strides, "strides", op: op)
        try SpatialWindow.checkPositivePair(dilations, "dilations", op: op)
        guard pads.count == 4 else { throw KilnError("\(op) pads \(pads) must be four numbers") }
        var shape = Array(x.shape[..<2])
        for i in 0..<2 {
            let effective = (kernel[i] - 1) * dilations[i] + 1
            guard pads[i] >= 0, pads[i + 2] >= 0, pads[i] < effective, pads[i + 2] < effective else {
                throw KilnError("\(op) pads \(pads) must be smaller than the window (\(effective)), or a window would see only padding")
            }
            shape.append(try SpatialWindow.outputSize(input: x.shape[2 + i], kernel: kernel[i], stride: strides[i],
                                                      dilation: dilations[i], padBegin: pads[i], padEnd: pads[i + 2],
                                                      ceilMode: ceilMode, op: op))
        }
        return TensorType(.float32, shape)
    }

    public var attributeList: [(String, AttributeValue)] {
        [("kernel_shape", .ints(kernel)), ("strides", .ints(strides)), ("pads", .ints(pads)),
         ("dilations", .ints(dilations)), ("ceil_mode", .int(ceilMode ? 1 : 0))]
    }
}
