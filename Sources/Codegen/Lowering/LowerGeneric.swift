import Catalog
import IR

/// Lowering for the generic kernels' data movement (`GenericKernels.swift`): every operand as a
/// row-major tensor walked through a `StridedLoop`, coalesced to the kernels' six dimensions.
extension Lowering {
    /// The `kiln_dtype` enumerator of an element type.
    static func dtype(_ type: ElementType) -> Argument {
        let names: [ElementType: String] = [.float32: "F32", .float64: "F64", .int64: "I64", .int32: "I32", .int8: "I8",
                                            .uint8: "U8", .bool: "BOOL"]
        return .choice("KILN_" + (names[type] ?? "F32"))
    }

    /// A coalesced loop as kernel arguments: the shape and each operand's strides.
    static func kernelLoop(_ loop: StridedLoop) throws -> (shape: Argument, strides: [Argument]) {
        let walk = loop.coalesced()
        guard let shape = walk.kernelShape else {
            throw KilnError("internal error: a strided loop over \(walk.shape.count) dimensions (the kernels take \(StridedLoop.maxRank))")
        }
        return (.dims(shape), walk.strides.indices.map { .strides(walk.kernelStrides($0)) })
    }

    /// One `copy_strided` call: `shape` walked through `is` from in[inAt] and `os` into out[outAt].
    func copyCall(_ size: Int, shape: [Int], from: Buffer, inAt: Int = 0, is: [Int], to: Buffer, outAt: Int = 0,
                  os: [Int]) throws -> KernelCall {
        let loop = try Self.kernelLoop(StridedLoop(shape: shape, strides: [`is`, os]))
        return try KernelCall(KernelCatalog.copyStrided, [
            "size": .size(size), "shape": loop.shape, "in": .buffer(from), "in_at": .size(inAt), "is": loop.strides[0],
            "out": .buffer(to), "out_at": .size(outAt), "os": loop.strides[1],
        ])
    }

    /// Reshapes (a copy unless the plan put the result in its input's buffer), Transpose, Slice,
    /// Expand and Concat.
    mutating func lowerCopy(_ node: Node) throws -> [KernelCall] {
        let y = graph.type(of: node.outputs[0]), out = try buffer(node.outputs[0]), size = y.elementType.byteSize
        let rowMajor = StridedLoop.rowMajor(y.shape)
        let x = graph.type(of: node.inputs[0]), from = try buffer(node.inputs[0])
        switch node.op {
        case let op as Transpose where node.inputLayout == node.outputLayout:
            // Output dimension d reads input dimension perm[d].
            let own = StridedLoop.rowMajor(x.shape)
            return [try copyCall(size, shape: y.shape, from: from, is: op.perm.map { own[$0] }, to: out, os: rowMajor)]
        case let op as Slice:
            let windows = try op.windows(for: x.shape), own = StridedLoop.rowMajor(x.shape)
            let start = zip(windows, own).reduce(0) { $0 + $1.0.start * $1.1 }
            return [try copyCall(size, shape: y.shape, from: from, inAt: start, is: zip(windows, own).map { $0.step * $1 },
                                 to: out, os: rowMajor)]
        case is Expand:
            return [try copyCall(size, shape: y.shape, from: from, is: StridedLoop.broadcast(x.shape, to: y.shape), to: out, os: rowMajor)]
        case let op as Concat:
            let axis = try Shapes.axis(op.axis, rank: y.rank)
            var calls: [KernelCall] = [], at = 0
            for input in node.inputs {
                let shape = graph.type(of: input).shape
                calls.append(try copyCall(size, shape: shape, from: try buffer(input), is: StridedLoop.rowMajor(shape), to: out,
                                          outAt: at * rowMajor[axis], os: rowMajor))
                at += shape[axis]
            }
            return calls
        case let op as Dropout:
            var calls = from == out ? [] : [try copyCall(size, shape: [y.elementCount], from: from, is: [1], to: out, os: [1])]
            if node.outputs.count > 1 {
                // The mask: one constant 1 of the mask's type, read with stride 0.
                let one = try Tensor.scalar(1, as: op.maskType)
                calls.append(try copyCall(op.maskType.byteSize, shape: [y.elementCount], from: .weights(offset: blob.raw(one)), is: [0],
                                          to: try buffer(node.outputs[1]), os: [1]))
            }
            return calls
        default:
            // A reshape, or a Transpose whose result keeps the input's bytes: one contiguous run.
            if from == out { return [] }
            return [try copyCall(size, shape: [y.elementCount], from: from, is: [1], to: out, os: [1])]
        }
    }

    /// Graph outputs no node writes: a graph input, a constant, or a value listed as an earlier
    /// output too. Each gets a function copying it into its output buffer.
    mutating func fillPassThroughOutputs() throws {
        for (index, value) in graph.outputs.enumerated() {
            let written = graph.producer(of: value) != nil && graph.outputs.firstIndex(of: value) == index
            guard !written else { continue }
            let type = graph.type(of: value), from = try buffer(value), to = Buffer.output(index: index, offset: 0)
            let name = graph[value].name
            let copy = try copyCall(type.elementType.byteSize, shape: [type.elementCount], from: from, is: [1], to: to, os: [1])
            functions.append(KernelFunction(
                name: Identifier.sanitize("output_\(index)", prefix: String(format: "k%03d", graph.nodes.count + index)),
                comment: [Identifier.commentText("graph output \(index) '\(name)': \(type), a copy")],
                calls: [copy],
                node: NodeOrigin(index: graph.nodes.count + index, name: name, opType: "Output", provenance: [name]),
                output: nil, kernel: copy.kernel, work: KernelWork(macs: 0, bytes: 2 * type.byteCount)))
        }
    }

    mutating func lowerPad(_ node: Node, _ op: Pad) throws -> [KernelCall] {
        let x = graph.type(of: node.inputs[0]), y = graph.type(of: node.outputs[0])
        let windows = try op.windows(for: x.shape), own = StridedLoop.rowMajor(x.shape)
        guard let shape = StridedLoop(shape: y.shape, strides: []).kernelShape else {
            throw KilnError("internal error: Pad over \(y.rank) dimensions")
        }
        let lead = [Int](repeating: 1, count: StridedLoop.maxRank - y.rank)
        let value = blob.raw(op.value)
        let modes: [Pad.Mode: String] = [.constant: "CONSTANT", .reflect: "REFLECT", .edge: "EDGE", .wrap: "WRAP"]
        return [try KernelCall(KernelCatalog.pad, [
            "size": .size(x.elementType.byteSize), "mode": .choice("KILN_PAD_" + (modes[op.mode] ?? "CONSTANT")),
            "shape": .dims(shape), "in": .buffer(try buffer(node.inputs[0])),
            "in_at": .size(zip(windows, own).reduce(0) { $0 + $1.0.start * $1.1 }),
            "is": .strides(lead.map { _ in 0 } + own), "window": .dims(lead + windows.map(\.length)),
            "before": .dims(lead.map { _ in 0 } + windows.map(\.before)), "value": .buffer(.weights(offset: value)),
            "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    mutating func lowerGather(_ node: Node, _ op: Gather) throws -> [KernelCall] {
        let x = graph.type(of: node.inputs[0]), indices = graph.type(of: node.inputs[1])
        let a = try Shapes.axis(op.axis, rank: x.rank)
        return [try KernelCall(KernelCatalog.gather, [
            "size": .size(x.elementType.byteSize), "outer": .size(x.shape[..<a].reduce(1, *)), "axis": .size(x.shape[a]),
            "inner": .size(x.shape[(a + 1)...].reduce(1, *)), "in": .buffer(try buffer(node.inputs[0])),
            "index_type": Self.dtype(indices.elementType), "indices": .buffer(try buffer(node.inputs[1])),
            "count": .size(indices.elementCount), "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }

    /// The strides of each of `values` broadcast to `shape` (all row-major when the shapes agree,
    /// whatever their layout).
    func broadcastStrides(_ values: [ValueID], to shape: [Int]) -> [[Int]] {
        values.map { StridedLoop.broadcast(graph.type(of: $0).shape, to: shape) }
    }

    mutating func lowerWhere(_ node: Node) throws -> [KernelCall] {
        let y = graph.type(of: node.outputs[0])
        let loop = try Self.kernelLoop(StridedLoop(shape: y.shape, strides: broadcastStrides(node.inputs, to: y.shape)))
        return [try KernelCall(KernelCatalog.select, [
            "size": .size(y.elementType.byteSize), "shape": loop.shape,
            "cond": .buffer(try buffer(node.inputs[0])), "cs": loop.strides[0],
            "x": .buffer(try buffer(node.inputs[1])), "xs": loop.strides[1],
            "y": .buffer(try buffer(node.inputs[2])), "ys": loop.strides[2], "out": .buffer(try buffer(node.outputs[0])),
        ])]
    }
}
