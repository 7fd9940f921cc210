import IR

/// What a layout cost model sees of one conv-like node. Shapes are logical NCHW.
public struct LayoutQuery: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Conv or FusedConv.
        case conv(Conv)
        case squeezeExcite
        case globalAveragePool
        /// A fully connected layer; its input may be 2-D or 4-D (flattened in NCHW order).
        case dense
    }

    public var kind: Kind
    /// The main activation input (X).
    public var input: TensorType
    /// Conv weights W [M, C/group, kH, kW], or Dense weights [J, K]; nil for weightless nodes.
    public var weights: TensorType?
    public var output: TensorType

    public init(kind: Kind, input: TensorType, weights: TensorType?, output: TensorType) {
        self.kind = kind
        self.input = input
        self.weights = weights
        self.output = output
    }
}

/// One way to run a conv-like node: the layout its kernel reads its main input in, the layout it
/// writes (and reads a residual in), the packing of its weights, why, and what it costs.
public struct LayoutChoice: Sendable, Equatable {
    public var input: Layout
    public var output: Layout
    /// How the kernel wants its weights laid out (`OHWI-panel16`, `HWC-depthwise`, `OIHW`, `none`…).
    public var weightPacking: String
    /// A sentence a reader of the IR understands: the kernel and why it fits.
    public var reason: String
    /// The kernel's estimated cost, in the model's unit (see `LayoutCostModel`).
    public var cost: Double

    public init(input: Layout, output: Layout, weightPacking: String, reason: String, cost: Double) {
        self.input = input
        self.output = output
        self.weightPacking = weightPacking
        self.reason = reason
        self.cost = cost
    }
}

/// Estimates what each available kernel costs for a conv-like node, and what a layout conversion
/// costs. `select-layout` adds the reorders a choice forces (from the producer's layout into
/// `choice.input`, of a residual, and of a graph output back to NCHW) to each candidate's cost and
/// takes the cheapest; ties go to the candidate listed first.
///
/// Costs are relative: only their comparison matters. A measured model (timings of the kernel
/// library per shape) can replace `HeuristicLayoutCostModel` without touching the pass.
public protocol LayoutCostModel: Sendable {
    /// The kernels that can run the node, with their costs. Never empty for a valid node: the NCHW
    /// fallback runs every conv.
    func candidates(for query: LayoutQuery) -> [LayoutChoice]
    /// The cost of converting a tensor of type `type` from one layout to another (0 when the two
    /// layouts put the same bytes in the same places, see `Layout.sameBytes`).
    func reorderCost(_ type: TensorType, from: Layout, to: Layout) -> Double
}

extension Layout {
    /// The channel block of NCHWc layouts (8 or 16), nil for NCHW and NHWC.
    public var channelBlock: Int? {
        switch self {
        case .nchw, .nhwc: nil
        case .nchw8c: 8
        case .nchw16c: 16
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
    /// the same layout; any 4-D tensor with H·W = 1 in NCHW and NHWC (e.g. after a global pool);
    /// and NCHWc with whole channel blocks when H·W = 1. Non-4-D tensors have only one layout.
    public static func sameBytes(_ a: Layout, _ b: Layout, for type: TensorType) -> Bool {
        if a == b || type.rank != 4 { return true }
        guard type.shape[2] * type.shape[3] == 1 else { return false }
        return [a, b].allSatisfy { layout in layout.channelBlock.map { type.shape[1] % $0 == 0 } ?? true }
    }
}
