/// The physical memory layout of a 4-D activation tensor. The IR's shapes stay logical NCHW
/// whatever the layout; layouts are a decision for code generation, recorded by `select-kernel`.
/// Everything Kiln knows about a layout — its physical shape, strides, bytes, and how to read a
/// stored tensor back in logical NCHW order — is here, and only here.
public enum Layout: String, Sendable, Hashable, CaseIterable {
    /// Row-major [N, C, H, W]: ONNX's layout, and that of graph inputs and outputs.
    case nchw = "NCHW"
    /// Row-major [N, H, W, C]: channels contiguous, the natural layout for 1×1 convs as GEMMs and
    /// for depthwise convs vectorized over channels.
    case nhwc = "NHWC"
    /// [N, ⌈C/8⌉, H, W, 8]: channel blocks of one AVX2 vector, the last block zero-padded.
    case nchw8c = "NCHW8c"
    /// [N, ⌈C/16⌉, H, W, 16]: channel blocks of one AVX-512 vector, the last block zero-padded.
    case nchw16c = "NCHW16c"

    /// The channel block of NCHWc layouts (8 or 16), nil for NCHW and NHWC.
    public var channelBlock: Int? {
        switch self {
        case .nchw, .nhwc: nil
        case .nchw8c: 8
        case .nchw16c: 16
        }
    }

    /// The shape in memory order of a tensor whose logical shape is `shape`: [N, H, W, C] for NHWC,
    /// [N, ⌈C/b⌉, H, W, b] for NCHWbc. Tensors that are not 4-D are row-major in every layout.
    public func physicalShape(_ shape: [Int]) -> [Int] {
        guard shape.count == 4 else { return shape }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        switch self {
        case .nchw: return shape
        case .nhwc: return [n, h, w, c]
        case .nchw8c, .nchw16c:
            let b = channelBlock ?? 1
            return [n, (c + b - 1) / b, h, w, b]
        }
    }

    /// Element strides (image, channel, row, column) of a [N, C, H, W] tensor stored in this layout;
    /// nil for blocked layouts, where a channel's stride depends on its block.
    public func strides(c: Int, h: Int, w: Int) -> (n: Int, c: Int, h: Int, w: Int)? {
        switch self {
        case .nchw: (c * h * w, h * w, w, 1)
        case .nhwc: (h * w * c, 1, w * c, c)
        case .nchw8c, .nchw16c: nil
        }
    }

    /// Bytes a tensor of `type` takes in this layout: blocked layouts pad the channels up to a
    /// whole block. Tensors that are not 4-D are always row-major.
    public func physicalBytes(_ type: TensorType) -> Int {
        guard type.rank == 4, let block = channelBlock else { return type.byteCount }
        let c = type.shape[1], padded = (c + block - 1) / block * block
        return type.byteCount / max(c, 1) * padded
    }

    /// Whether a tensor of `type` has identical bytes in both layouts, so converting is a no-op:
    /// the same layout; a 4-D tensor with H·W = 1 (e.g. after a global pool) or with one channel in
    /// NCHW and NHWC; and NCHWc with whole channel blocks when H·W = 1. Non-4-D tensors have only
    /// one layout.
    public static func sameBytes(_ a: Layout, _ b: Layout, for type: TensorType) -> Bool {
        if a == b || type.rank != 4 { return true }
        if type.shape[1] == 1, Set([a, b]) == [.nchw, .nhwc] { return true }
        guard type.shape[2] * type.shape[3] == 1 else { return false }
        return [a, b].allSatisfy { layout in layout.channelBlock.map { type.shape[1] % $0 == 0 } ?? true }
    }

    /// The elements of a tensor stored in this layout (`physical`, `physicalShape(shape)` order),
    /// in logical NCHW order. `physical` must hold the physical shape's element count.
    public func toLogical(_ physical: [Float], shape: [Int]) -> [Float] {
        guard shape.count == 4, self != .nchw else { return physical }
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        var logical = [Float](repeating: 0, count: n * c * h * w)
        let b = channelBlock ?? 1, blocks = (c + b - 1) / b
        for i in 0..<n {
            for ch in 0..<c {
                for y in 0..<h {
                    for x in 0..<w {
                        let source: Int
                        if self == .nhwc {
                            source = ((i * h + y) * w + x) * c + ch
                        } else {
                            source = (((i * blocks + ch / b) * h + y) * w + x) * b + ch % b
                        }
                        logical[((i * c + ch) * h + y) * w + x] = physical[source]
                    }
                }
            }
        }
        return logical
    }
}
