import IR

/// `split-batch`: a graph for N > 1 images runs its convolutional layers one image at a time, and
/// only the layers whose weights outweigh an image's activations (the classifier) on the N images
/// at once.
///
/// A batched conv layer does the same work per image as one image does, but on an N times larger
/// working set: on tv_b0 at batch 4 every layer up to 14×14 took 1.1–1.5× longer per image than at
/// batch 1, and the 7×7 GEMMs gained nothing. Only a layer that reads a large weight for a small
/// activation gains from the batch: tv_b0's classifier (5 MB of weights for 9 KB of activations per
/// image) took 395 µs alone and 105 µs per image in a batch of 4. So the graph becomes: each batched
/// graph input sliced into its N images; the prefix of per-image nodes (every node before the first
/// that reuses its weights across images, `reusesWeights`) cloned once per image at batch 1; one
/// Concat along dimension 0 per value the rest of the graph (or a graph output) reads from the
/// prefix, under the value's own ID; and the rest unchanged, at batch N (shapes shortened):
///
///     %y: float32[2x8x5x5] = FusedConv(%x, %w, %b) {…} loc("conv")
///     %z: float32[2x10] = Dense(%y, %wd, %bd) {activation="none"} loc("fc")
///   becomes
///     %x/image0: float32[1x3x5x5] = Slice(%x) {starts=[0], ends=[1], axes=[0], steps=[1]} loc("x/image0")
///     %y/image0: float32[1x8x5x5] = FusedConv(%x/image0, %w, %b) {…} loc("conv")
///     %x/image1: float32[1x3x5x5] = Slice(%x) {starts=[1], ends=[2], axes=[0], steps=[1]} loc("x/image1")
///     %y/image1: float32[1x8x5x5] = FusedConv(%x/image1, %w, %b) {…} loc("conv")
///     %y: float32[2x8x5x5] = Concat(%y/image0, %y/image1) {axis=0} loc("y/images")
///     %z: float32[2x10] = Dense(%y, %wd, %bd) {activation="none"} loc("fc")
///
/// The copies share their weights, the fusion passes after this one see the shapes of one image (so
/// they decide as for batch 1), and the C printer compiles the copies' identical kernel calls once
/// (`SharedCalls`). The slices and concats copy the input (602 KB per 224×224 image) and the
/// prefix's last activations (5 KB per image on tv_b0): about 0.3 % of the run. Runs after
/// `fuse-gated-conv`, so that the copies share the weights the fusions made (a squeeze-excite
/// block's FCs, reshaped once) and a squeeze-excite block is one node, not a chain of small FCs; and
/// before `fuse-expand-depthwise`, which fuses by the size of the expanded tensor and so must see one
/// image's.
///
/// Does not apply when: no graph input has a batch (dimension 0) over 1, or it is over
/// `maximumImages`, or the copies would have more than `maximumCopiedNodes` nodes; none of the
/// prefix's batched tensors reaches `minimumActivationBytes` (1 MiB: the whole batch's working set
/// is cache-sized, as in the operator conformance tests); the first node already reuses its
/// weights, or is not per-image (`OpTraits.keepsImagesApart`: a Softmax or reduction over
/// dimension 0, a Transpose that moves it, a Concat or Slice along it, ...). The prefix ends at the
/// first node that is not per-image or whose batch-1 shape inference does not give its batch-N
/// shapes with a 1 in front.
public struct SplitBatch: Pass {
    public let name = "split-batch"

    /// A node reuses its weights across the images of a batch, and so runs batched, when its constant
    /// inputs are more than this many times one image's activations (its batched inputs and outputs)
    /// and at least `weightReuseMinimumBytes`. tv_b0's classifier is at 570, its 7×7 1×1 convs
    /// (measured no faster batched) at 5.
    public static let weightReuseRatio = 16
    /// Weights smaller than this stay in the core's L2 from one image to the next, so reading them again
    /// costs little: the FCs of a squeeze-excite block not fused into one node (19× the activations at
    /// 38 KB in B0) run per image.
    public static let weightReuseMinimumBytes = 1 << 20

    /// A batch whose activations all fit in L2 together has nothing to gain from going image by image: the
    /// pass splits only when one of the prefix's batched tensors is at least this large.
    public static let minimumActivationBytes = 1 << 20
    /// At most this many copies of the prefix (the graph grows by one copy per image; the compiled code by a
    /// few lines per node, as shared calls compile each kernel once).
    public static let maximumImages = 64
    /// At most this many nodes in all the copies together, so that a model of many nodes at a large batch keeps the
    /// graph's size (and the passes' and memory plan's time) in bounds: it then runs batched, as before the pass.
    public static let maximumCopiedNodes = 16384

    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        guard let batch = Self.batch(of: graph) else { return false }
        var carriers = Set(graph.inputs.filter { graph.type(of: $0).shape.first == batch })
        // Each prefix node with its outputs' one-image types.
        var prefix: [(node: Node, op: any Operator, outputs: [TensorType])] = []
        for node in graph.nodes {
            let batched = node.inputs.map(carriers.contains)
            guard batched.contains(true), !reusesWeights(node, batch: batch, in: graph),
                  OpTraits.keepsImagesApart(node.op, inputs: node.inputs.map(graph.type(of:)), batched: batched),
                  let single = oneImage(node, batched: batched, batch: batch, in: graph)
            else { break }
            prefix.append((node, single.op, single.outputs))
            carriers.formUnion(node.outputs)
        }
        let largest = prefix.flatMap(\.node.outputs).map { graph.type(of: $0).byteCount }.max() ?? 0
        guard largest >= Self.minimumActivationBytes, batch * prefix.count <= Self.maximumCopiedNodes else { return false }
        let rest = graph.nodes.dropFirst(prefix.count)

        // The prefix's values that are read after it: by the rest of the graph, or as graph outputs.
        let produced = Set(prefix.flatMap(\.node.outputs))
        var crossing = Set(rest.flatMap(\.inputs).filter(produced.contains))
        crossing.formUnion(graph.outputs.filter(produced.contains))

        // The batched graph inputs the prefix reads: each is sliced into its images.
        let read = Set(prefix.flatMap(\.node.inputs))
        let sliced = graph.inputs.filter { carriers.contains($0) && read.contains($0) }

        var nodes: [Node] = []
        var copies: [ValueID: [ValueID]] = [:]  // crossing value → its N one-image copies
        for image in 0..<batch {
            var renamed: [ValueID: ValueID] = [:]
            for input in sliced {
                let slice = Slice(starts: [image], ends: [image + 1], axes: [0], steps: [1])
                let name = Self.copyName(graph[input].name, image: image)
                let one = graph.addValue(name: name, type: Self.oneImage(graph.type(of: input)))
                nodes.append(Node(name: name, op: slice, inputs: [input], outputs: [one], provenance: [name]))
                renamed[input] = one
            }
            for (node, op, types) in prefix {
                var copy = node
                copy.name = Self.copyName(node.name, image: image)
                copy.op = op
                copy.inputs = node.inputs.map { renamed[$0] ?? $0 }
                copy.outputs = zip(node.outputs, types).map { output, type in
                    let one = graph.addValue(name: Self.copyName(graph[output].name, image: image), type: type)
                    renamed[output] = one
                    if crossing.contains(output) { copies[output, default: []].append(one) }
                    return one
                }
                nodes.append(copy)
            }
        }
        for value in crossing.sorted() {
            let name = "\(graph[value].name)/images"
            nodes.append(Node(name: name, op: Concat(axis: 0), inputs: copies[value] ?? [], outputs: [value], provenance: [name]))
        }
        graph.nodes = nodes + rest
        return true
    }

    /// The name of a node's or value's copy for one image: `name/image2`.
    public static func copyName(_ name: String, image: Int) -> String { "\(name)/image\(image)" }

    /// The name a copy was made from (`copyName` undone), nil for a name that is no copy's.
    public static func original(ofCopy name: String) -> String? {
        guard let slash = name.lastIndex(of: "/") else { return nil }
        let suffix = name[name.index(after: slash)...]
        let digits = suffix.dropFirst(5)
        guard suffix.hasPrefix("image"), !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return String(name[..<slash])
    }

    /// The batch of the graph's inputs: dimension 0 where it is over 1 and the same for every input
    /// that has it; nil for one image, inputs that disagree, or more than `maximumImages`.
    static func batch(of graph: Graph) -> Int? {
        let batches = Set(graph.inputs.compactMap { graph.type(of: $0).shape.first }.filter { $0 > 1 })
        guard batches.count == 1, let batch = batches.first, batch <= maximumImages else { return nil }
        return batch
    }

    static func oneImage(_ type: TensorType) -> TensorType {
        var shape = type.shape
        shape[0] = 1
        return TensorType(type.elementType, shape)
    }

    /// Whether the node's weights (its constant inputs) outweigh one image's activations enough that
    /// running the images together pays (`weightReuseRatio`).
    func reusesWeights(_ node: Node, batch: Int, in graph: Graph) -> Bool {
        let weights = node.inputs.filter { graph.constants[$0] != nil }.reduce(0) { $0 + graph.type(of: $1).byteCount }
        let activations = (node.inputs.filter { graph.constants[$0] == nil } + node.outputs)
            .reduce(0) { $0 + graph.type(of: $1).byteCount } / batch
        return weights >= Self.weightReuseMinimumBytes && weights > Self.weightReuseRatio * activations
    }

    /// The node for one image and its outputs' types, when every output carries the batch in dimension
    /// 0 and shape inference on one image gives the same types with a 1 there.
    func oneImage(_ node: Node, batched: [Bool], batch: Int, in graph: Graph) -> (op: any Operator, outputs: [TensorType])? {
        let types = zip(node.inputs, batched).map { $1 ? Self.oneImage(graph.type(of: $0)) : graph.type(of: $0) }
        let op = node.op.followingBatch(from: batch, to: 1, inputs: types, batched: batched)
        guard let inferred = try? op.inferTypes(types), inferred.count == node.outputs.count else { return nil }
        for (output, type) in zip(node.outputs, inferred) {
            let full = graph.type(of: output)
            guard full.shape.first == batch, type == Self.oneImage(full) else { return nil }
        }
        return (op, inferred)
    }
}
