/// The annotations passes record on nodes, by key. Annotations are decisions about how a node runs
/// (which kernel, in which layout, where its result lives), never about what it computes; the IR
/// text prints them in `[...]` after the attributes under these keys. Code reads and writes them
/// only through the typed accessors on `Node` below.
public enum AnnotationKey: String, CaseIterable, Sendable {
    /// `select-kernel`: the layout the node writes its result in.
    case layout
    /// `select-kernel`: the layout the kernel reads its main input in, when it differs from `layout`.
    case inputLayout = "input_layout"
    /// `select-kernel`: the kernel-catalog entry that runs the node.
    case kernel
    /// `select-kernel`: why that kernel (a sentence for a reader of the IR).
    case kernelReason = "kernel_reason"
    /// `select-kernel`: how the kernel wants its weights packed.
    case weightPacking = "weight_packing"
    /// `plan-memory`: one arena byte offset per output, -1 for a graph output.
    case arenaOffset = "arena_offset"
    /// `plan-memory`: 1 when the result overwrites an input's buffer.
    case inPlace = "in_place"

    /// The keys `select-kernel` owns (cleared and rewritten each time it runs).
    public static let kernelChoice: [AnnotationKey] = [.layout, .inputLayout, .kernel, .kernelReason, .weightPacking]
}

extension Node {
    public subscript(annotation key: AnnotationKey) -> AttributeValue? {
        get { annotations[key.rawValue] }
        set { annotations[key.rawValue] = newValue }
    }

    private func string(_ key: AnnotationKey) -> String? {
        guard case .string(let text)? = self[annotation: key] else { return nil }
        return text
    }

    /// The layout this node writes its result in: a Reorder's target, else the recorded `layout`,
    /// NCHW when there is none (ONNX's layout). Memory planning sizes tensors by it and code
    /// generation addresses them by it, so both read it here.
    public var outputLayout: Layout {
        if let reorder = op as? Reorder { return reorder.to }
        return string(.layout).flatMap(Layout.init(rawValue:)) ?? .nchw
    }

    /// The layout the kernel reads its main input in: `input_layout` when recorded, else the
    /// output's layout.
    public var inputLayout: Layout {
        string(.inputLayout).flatMap(Layout.init(rawValue:)) ?? outputLayout
    }

    /// The kernel-catalog entry `select-kernel` chose, nil before it ran or when no entry applies.
    public var kernel: String? { string(.kernel) }
    public var kernelReason: String? { string(.kernelReason) }
    public var weightPacking: String? { string(.weightPacking) }

    /// Records a kernel choice (replacing any earlier one).
    public mutating func recordKernel(_ name: String, reason: String, input: Layout, output: Layout, weightPacking: String?) {
        for key in AnnotationKey.kernelChoice { self[annotation: key] = nil }
        self[annotation: .kernel] = .string(name)
        self[annotation: .kernelReason] = .string(reason)
        self[annotation: .layout] = .string(output.rawValue)
        if input != output { self[annotation: .inputLayout] = .string(input.rawValue) }
        if let weightPacking { self[annotation: .weightPacking] = .string(weightPacking) }
    }

    public mutating func clearKernelChoice() {
        for key in AnnotationKey.kernelChoice { self[annotation: key] = nil }
    }

    /// The arena byte offset of each output (-1: a graph output), nil before `plan-memory`.
    public var arenaOffsets: [Int]? {
        get {
            guard case .ints(let offsets)? = self[annotation: .arenaOffset] else { return nil }
            return offsets
        }
        set { self[annotation: .arenaOffset] = newValue.map(AttributeValue.ints) }
    }

    /// Whether `plan-memory` made the result overwrite an input's buffer.
    public var inPlace: Bool {
        get {
            guard case .int(let flag)? = self[annotation: .inPlace] else { return false }
            return flag != 0
        }
        set { self[annotation: .inPlace] = newValue ? .int(1) : nil }
    }
}
