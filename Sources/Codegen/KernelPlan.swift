import IR

/// A generated program, backend-neutral: the buffers it uses and, per fused node of the optimized
/// graph, one function that calls kernels of Kiln's kernel library with every shape a constant.
/// Printers (C now, Swift later) turn it into source; nothing here is specific to one language.
public struct KernelPlan: Sendable {
    /// Lines for the banner of every generated file: tool version, command line, model producer.
    public var banner: [String]
    public var inputType: TensorType
    public var outputType: TensorType
    /// Layout the program reads its input in (`NCHW` for ONNX models).
    public var inputLayout: Layout
    /// Bytes of the static arena holding every intermediate tensor (from `plan-memory`).
    public var arenaBytes: Int
    /// Bytes of scratch memory kernels need (squeeze-excite gates, …), reused by every node.
    public var scratchBytes: Int
    /// The packed weights, each tensor at a 64-byte aligned offset.
    public var weights: [UInt8]
    public var functions: [KernelFunction]

    public init(banner: [String], inputType: TensorType, outputType: TensorType, inputLayout: Layout,
                arenaBytes: Int, scratchBytes: Int, weights: [UInt8], functions: [KernelFunction]) {
        self.banner = banner
        self.inputType = inputType
        self.outputType = outputType
        self.inputLayout = inputLayout
        self.arenaBytes = arenaBytes
        self.scratchBytes = scratchBytes
        self.weights = weights
        self.functions = functions
    }
}

/// The code for one node: a sanitized, unique name, a comment (ONNX nodes, shapes, layout, MACs —
/// every line already sanitized), and the kernel calls.
public struct KernelFunction: Sendable {
    public var name: String
    public var comment: [String]
    public var calls: [KernelCall]
    /// The node this function implements, as the optimized graph has it (names are not sanitized:
    /// they are for tools, and a printer must escape them).
    public var node: NodeOrigin
    /// Where the function leaves the node's result, for tools that inspect intermediates (tracing);
    /// nil when the result is never stored (a squeeze-excite whose gate the next conv applies).
    public var output: StoredTensor?
}

/// Which node of the optimized graph a function implements.
public struct NodeOrigin: Sendable, Hashable {
    /// Index in the graph's node list (the order the reference interpreter runs them in).
    public var index: Int
    public var name: String
    public var opType: String
    /// The ONNX nodes it was made of.
    public var provenance: [String]
}

/// A tensor as generated code stores it: a buffer, the logical (NCHW) shape the IR gives it, and
/// the physical layout its elements are in.
public struct StoredTensor: Sendable, Hashable {
    public var buffer: Buffer
    public var shape: [Int]
    public var layout: Layout

    public init(buffer: Buffer, shape: [Int], layout: Layout) {
        self.buffer = buffer
        self.shape = shape
        self.layout = layout
    }

    /// The shape in memory order: [N, H, W, C] for an NHWC tensor of logical shape [N, C, H, W];
    /// nil for a blocked layout (NCHW8c, …), which has no plain row-major shape.
    public var physicalShape: [Int]? {
        guard shape.count == 4 else { return shape }
        switch layout {
        case .nchw: return shape
        case .nhwc: return [shape[0], shape[2], shape[3], shape[1]]
        case .nchw8c, .nchw16c: return nil
        }
    }
}

/// One call of a library kernel, e.g. `f32_gemm_bias_act(…)`; the printer adds the library prefix.
public struct KernelCall: Sendable {
    public var kernel: String
    public var arguments: [Argument]

    public init(_ kernel: String, _ arguments: [Argument]) {
        self.kernel = kernel
        self.arguments = arguments
    }
}

public enum Argument: Sendable {
    /// A size or count (`size_t` in C).
    case size(Int)
    case float(Float)
    case activation(Activation)
    case buffer(Buffer)
    /// No buffer (an absent optional operand, such as no residual).
    case none
}

/// Memory a kernel reads or writes, as float offsets into the program's regions.
public enum Buffer: Sendable, Hashable {
    /// The caller's input tensor.
    case input(offset: Int)
    /// The caller's output tensor.
    case output(offset: Int)
    /// The static arena of intermediates.
    case arena(offset: Int)
    /// The packed weights.
    case weights(offset: Int)
    /// Scratch memory.
    case scratch(offset: Int)

    /// The same region, `floats` further on.
    public func advanced(by floats: Int) -> Buffer {
        switch self {
        case .input(let o): .input(offset: o + floats)
        case .output(let o): .output(offset: o + floats)
        case .arena(let o): .arena(offset: o + floats)
        case .weights(let o): .weights(offset: o + floats)
        case .scratch(let o): .scratch(offset: o + floats)
        }
    }
}
