import IR

/// One kernel of the kernel library (`Sources/Kernels`), with every fact the compiler needs about it:
/// what it is called and takes, when it applies and in which layouts, how its weights are packed,
/// what it costs, and along which dimension its work splits. `select-kernel` asks the catalog for the
/// candidates of each node and records the one it takes; lowering calls the recorded entry with the
/// parameters listed here and nothing else; `KernelCatalogTests` checks the parameters against the
/// C declarations in the library's headers.
public struct KernelEntry: Sendable, Hashable {
    /// The C function without the library prefix: the C printer calls `kiln_<name>`.
    public let name: String
    /// What it computes, in a line.
    public let summary: String
    /// The parameters, in order, as the C declaration names them.
    public let parameters: [KernelParameter]
    /// How its weights are packed (`OHWI-panel16`, `HWC-depthwise`, `OIHW`, …), nil without weights.
    public let weightPacking: String?
    /// How threads share the kernel's work: the parameters along whose ranges `kiln_<name>_part` (in
    /// `kiln_kernels_parallel.h`) splits it, choosing among them per call by how evenly they divide; empty
    /// when the kernel runs whole on one thread of a parallel run.
    public let split: [String]
    /// The instruction sets it is built for.
    public let isas: Set<ISA>
    /// The ways it can run a node (layouts, reason, cost); empty when it does not apply.
    let match: @Sendable (KernelEntry, KernelQuery) -> [KernelCandidate]

    init(name: String, summary: String, parameters: [KernelParameter], weightPacking: String? = nil, split: [String],
         isas: Set<ISA> = Set(ISA.allCases), match: @escaping @Sendable (KernelEntry, KernelQuery) -> [KernelCandidate] = { _, _ in [] }) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.weightPacking = weightPacking
        self.split = split
        self.isas = isas
        self.match = match
    }

    /// The ways this kernel can run the node `query` describes (none when it does not apply).
    public func candidates(for query: KernelQuery) -> [KernelCandidate] {
        isas.contains(query.isa) ? match(self, query) : []
    }

    /// Whether generated code calls `kiln_<name>_part`, which every thread of a run calls with its part.
    public var isParallel: Bool { !split.isEmpty }

    public static func == (a: KernelEntry, b: KernelEntry) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// A parameter of a kernel: its C name and what it is.
public struct KernelParameter: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A count or extent (`size_t`).
        case size
        /// A real-valued parameter (`double`): Gemm's alpha, a clip bound.
        case real
        /// An activation (`kiln_act`).
        case activation
        /// Memory the kernel reads (`const float *`): inputs, weights, gates.
        case reads
        /// Memory the kernel writes (`float *`): outputs, scratch.
        case writes
        /// Memory of any element type the kernel reads (`const void *`; the generic kernels).
        case readsAny
        /// Memory of any element type the kernel writes (`void *`).
        case writesAny
        /// A shape of up to six extents (`kiln_dims`).
        case dims
        /// Element strides for a `kiln_dims` shape (`kiln_strides`).
        case strides
        /// A value of a C enumeration (`kiln_dtype`, `kiln_binop`, …), named by the enumeration's type.
        case choice(String)
    }

    public let name: String
    public let kind: Kind

    init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The parameter's type in the C declaration.
    public var cType: String {
        switch kind {
        case .size: "size_t"
        case .real: "double"
        case .activation: "kiln_act"
        case .reads: "const float *"
        case .writes: "float *"
        case .readsAny: "const void *"
        case .writesAny: "void *"
        case .dims: "kiln_dims"
        case .strides: "kiln_strides"
        case .choice(let type): type
        }
    }

    public var description: String { "\(cType)\(cType.hasSuffix("*") ? "" : " ")\(name)" }
}

/// `size_t a, size_t b, …` in a compact form for entry definitions.
func sizes(_ names: String...) -> [KernelParameter] { names.map { KernelParameter($0, .size) } }

/// One way to run a node: a catalog entry, the layout it reads each input in, the layout it writes,
/// why it fits, and its estimated cost.
public struct KernelCandidate: Sendable {
    public let entry: KernelEntry
    /// Per input slot, the layout the kernel reads it in; nil where any layout will do (constants,
    /// gates of one pixel).
    public var inputs: [Layout?]
    public var output: Layout
    /// A sentence for a reader of the IR: the kernel and why it fits.
    public var reason: String
    /// Estimated cost in units of one scalar multiply-accumulate (only comparisons matter).
    public var cost: Double

    /// The layout of the main input (slot 0).
    public var input: Layout { inputs.first.flatMap { $0 } ?? output }
}

/// What the work of a node amounts to on a kernel: multiply-accumulates and bytes moved (inputs,
/// weights and outputs each once), for the roofline and the profiler.
public struct KernelWork: Sendable, Equatable {
    public var macs: Int
    public var bytes: Int

    public init(macs: Int, bytes: Int) {
        self.macs = macs
        self.bytes = bytes
    }
}
