import Catalog
import IR

/// A generated program, backend-neutral: the buffers it uses and, per fused node of the optimized
/// graph, one function that calls kernels of Kiln's kernel library with every shape a constant.
/// Printers (C now, Swift later) turn it into source; nothing here is specific to one language.
public struct KernelPlan: Sendable {
    /// Lines for the banner of every generated file: tool version, command line, model producer.
    public var banner: [String]
    /// The graph's inputs and outputs, in order: what `kiln_model_run` takes and fills.
    public var inputs: [PlanTensor]
    public var outputs: [PlanTensor]
    /// Layout the program reads its input in (`NCHW` for ONNX models).
    public var inputLayout: Layout
    /// Bytes of the static arena holding every intermediate tensor (from `plan-memory`).
    public var arenaBytes: Int
    /// Bytes of scratch memory kernels need (squeeze-excite gates, …), reused by every node.
    public var scratchBytes: Int
    /// The packed weights, each tensor at a 64-byte aligned offset.
    public var weights: [UInt8]
    public var functions: [KernelFunction]

    public init(banner: [String], inputs: [PlanTensor], outputs: [PlanTensor], inputLayout: Layout,
                arenaBytes: Int, scratchBytes: Int, weights: [UInt8], functions: [KernelFunction]) {
        self.banner = banner
        self.inputs = inputs
        self.outputs = outputs
        self.inputLayout = inputLayout
        self.arenaBytes = arenaBytes
        self.scratchBytes = scratchBytes
        self.weights = weights
        self.functions = functions
    }

    /// The first input's type (most models have one input).
    public var inputType: TensorType { inputs.first?.type ?? TensorType(.float32, []) }
    /// The first output's type.
    public var outputType: TensorType { outputs.first?.type ?? TensorType(.float32, []) }
}

/// A graph input or output of a plan: its name in the model (not sanitized) and its type.
public struct PlanTensor: Sendable, Hashable {
    public var name: String
    public var type: TensorType

    public init(name: String, type: TensorType) {
        self.name = name
        self.type = type
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
    /// Where the function leaves the node's float32 result, for tools that inspect intermediates
    /// (tracing); nil when the result is never stored (a squeeze-excite whose gate the next conv
    /// applies) or is of another element type.
    public var output: StoredTensor?
    /// The kernel-catalog entry `select-kernel` recorded for the node.
    public var kernel: String
    /// What the node's kernel does: MACs and bytes moved, for the profiler's roofline.
    public var work: KernelWork
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

    /// The shape in memory order (`Layout.physicalShape`): [N, H, W, C] for an NHWC tensor of logical
    /// shape [N, C, H, W].
    public var physicalShape: [Int] { layout.physicalShape(shape) }
}

/// One call of a library kernel, e.g. `f32_gemm_bias_act(p: 3136, k: 16, …)`: a kernel-catalog entry
/// and one argument per parameter, in the entry's order. The printer adds the library prefix and
/// labels every argument with its parameter's name.
public struct KernelCall: Sendable {
    public var entry: KernelEntry
    public var arguments: [Argument]

    /// The call of `entry` with `named` arguments, one per parameter of the entry, each of the
    /// parameter's kind. A mismatch is a bug in lowering, reported as an internal error.
    public init(_ entry: KernelEntry, _ named: [String: Argument]) throws {
        var arguments: [Argument] = []
        for parameter in entry.parameters {
            guard let argument = named[parameter.name], argument.fits(parameter.kind) else {
                throw KilnError("internal error: \(entry.name) needs \(parameter) (given: \(named.keys.sorted().joined(separator: ", ")))")
            }
            arguments.append(argument)
        }
        guard named.count == entry.parameters.count else {
            let unknown = Set(named.keys).subtracting(entry.parameters.map(\.name)).sorted()
            throw KilnError("internal error: \(entry.name) has no parameter \(unknown.joined(separator: ", "))")
        }
        self.entry = entry
        self.arguments = arguments
    }

    /// The kernel's name without the library prefix.
    public var kernel: String { entry.name }

    /// Parameter names with their arguments, in order.
    public var labelled: [(name: String, argument: Argument)] {
        zip(entry.parameters, arguments).map { ($0.name, $1) }
    }
}

public enum Argument: Sendable {
    /// A size or count (`size_t` in C).
    case size(Int)
    /// A real number (`double`).
    case real(Double)
    case activation(Activation)
    case buffer(Buffer)
    /// No buffer (an absent optional operand, such as no residual).
    case none
    /// A shape of `StridedLoop.maxRank` extents (`kiln_dims`).
    case dims([Int])
    /// Element strides of `StridedLoop.maxRank` dimensions (`kiln_strides`).
    case strides([Int])
    /// An enumerator of a C enumeration, such as `KILN_BINOP_ADD`.
    case choice(String)
    /// A parameter of the function the call is printed in (a shared call's buffers, see `SharedCalls`).
    case parameter(String)

    /// Whether this argument can be passed for a parameter of `kind`.
    func fits(_ kind: KernelParameter.Kind) -> Bool {
        switch (self, kind) {
        case (.size, .size), (.real, .real), (.activation, .activation), (.dims, .dims), (.strides, .strides),
             (.buffer, .reads), (.buffer, .writes), (.buffer, .readsAny), (.buffer, .writesAny), (.none, .reads),
             (.none, .readsAny), (.choice, .choice), (.parameter, .reads), (.parameter, .writes), (.parameter, .readsAny),
             (.parameter, .writesAny): true
        default: false
        }
    }
}

/// Memory a kernel reads or writes, as float (4-byte) offsets into the program's regions.
public enum Buffer: Sendable, Hashable {
    /// The caller's input tensor number `index`.
    case input(index: Int = 0, offset: Int)
    /// The caller's output tensor number `index`.
    case output(index: Int = 0, offset: Int)
    /// The static arena of intermediates.
    case arena(offset: Int)
    /// The packed weights.
    case weights(offset: Int)
    /// Scratch memory.
    case scratch(offset: Int)

    /// The same region, `floats` further on.
    public func advanced(by floats: Int) -> Buffer {
        switch self {
        case .input(let i, let o): .input(index: i, offset: o + floats)
        case .output(let i, let o): .output(index: i, offset: o + floats)
        case .arena(let o): .arena(offset: o + floats)
        case .weights(let o): .weights(offset: o + floats)
        case .scratch(let o): .scratch(offset: o + floats)
        }
    }
}
