import IR

/// Every kernel of the library, and the one question the rest of Kiln asks about them: which
/// kernels can run this node, in which layouts, at what cost. The optimizer (`select-kernel`,
/// `fuse-gated-conv`) decides with it and records the decision on the node; lowering and the
/// printers only read that record. See ARCHITECTURE.md for how to add a kernel.
public enum KernelCatalog {
    /// All entries, in the order ties are broken (faster specialized kernels first, the generic
    /// kernels last).
    public static let all: [KernelEntry] = [
        gemm, gatedGEMM, depthwise, expandDepthwise, convDepthwise, expandDepthwiseProject, convDepthwiseProject, direct,
        genericConv,
        squeezeExciteGate, channelScale, globalAveragePool, softmax, add, activation, nchwToNHWC, nhwcToNCHW,
    ] + generic

    private static let byName: [String: KernelEntry] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func entry(named name: String) -> KernelEntry? { byName[name] }

    /// Every way the library can run the node `query` describes, in catalog order; empty when no
    /// kernel applies.
    public static func candidates(for query: KernelQuery) -> [KernelCandidate] {
        all.flatMap { $0.candidates(for: query) }
    }

    /// Whether a squeeze-excite gate can be folded into the pointwise conv `query` describes (as an
    /// ungated FusedConv): the gated GEMM would run it.
    public static func canFuseGate(into query: KernelQuery) -> Bool {
        guard let shape = ConvShape(query) else { return false }
        return fusesGate(shape)
    }

    /// Whether the kernel `name` adds the residual of `conv` in its own epilogue, after the
    /// activation, reading each residual element just before it writes the same output element —
    /// so its output may overwrite the residual (memory planning asks). Otherwise lowering adds the
    /// residual in a pass of its own after the kernel, which needs the residual intact.
    public static func fusesResidual(kernel name: String, of conv: FusedConv) -> Bool {
        (name == gemm.name || name == gatedGEMM.name) && (!conv.residualFirst || conv.activation == .none)
    }

    /// The work of node `node` of `graph`: its operator's MACs, and the bytes its kernel moves (none
    /// when no kernel of the library runs it).
    public static func work(of node: Node, in graph: Graph) -> KernelWork {
        let macs = node.op.macs(inputs: node.inputs.map(graph.type(of:)), outputs: node.outputs.map(graph.type(of:)))
        return KernelQuery(node: node, in: graph, isa: .generic).map { work($0, macs: macs) } ?? KernelWork(macs: macs, bytes: 0)
    }

    /// The MACs and bytes a node's kernel moves: every input (weights included) read once and the
    /// output written once.
    public static func work(_ query: KernelQuery, macs: Int) -> KernelWork {
        KernelWork(macs: macs, bytes: query.inputs.reduce(query.output.byteCount) { $0 + $1.byteCount })
    }
}
