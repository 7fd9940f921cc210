import IR

/// A zero `Pad` of the spatial axes before a `Conv` → the Conv's own `pads`. TF-style "same" padding
/// (timm's `tf_efficientnet`, EfficientNet-Lite exports) computes an explicit, often asymmetric, Pad
/// in front of every strided conv; after import folds the shape arithmetic it is a constant Pad.
///
///     %p: float32[1x32x113x113] = Pad(%x) {mode="constant", pads=[0, 0, 0, 0, 0, 0, 1, 1], value=0.0} loc("pad")
///     %y: float32[1x64x56x56] = Conv(%p, %w, %b) {strides=[2, 2], pads=[0, 0, 0, 0], ...} loc("conv")
///       →
///     %y: float32[1x64x56x56] = Conv(%x, %w, %b) {strides=[2, 2], pads=[0, 0, 1, 1], ...} loc("conv", "pad")
///
/// Not when the Pad is not `constant` with value 0, pads the batch or channel axes, crops (negative
/// pads), or its result has another reader (the padded tensor is needed anyway).
struct AbsorbPadIntoConv: RewritePattern {
    let name = "absorb-pad-into-conv"

    func rewrite(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        guard var conv = node.op as? Conv, let padded = node.inputs.first,
              let (padIndex, padNode) = graph.definingNode(of: padded), let pad = padNode.op as? Pad,
              pad.mode == .constant, pad.value.doubles() == [0], pad.pads.count == 8,
              pad.pads[0] == 0, pad.pads[1] == 0, pad.pads[4] == 0, pad.pads[5] == 0,
              pad.pads.allSatisfy({ $0 >= 0 }), graph.useCount(of: padded) == 1
        else { return false }
        // Pad order is [n, c, h, w begins, n, c, h, w ends]; Conv's is [top, left, bottom, right].
        let extra = [pad.pads[2], pad.pads[3], pad.pads[6], pad.pads[7]]
        conv.pads = zip(conv.pads, extra).map { $0 + $1 }
        guard let fused = graph.rewrittenNode(conv, inputs: [padNode.inputs[0]] + node.inputs.dropFirst(),
                                              outputs: node.outputs, replacing: [node, padNode])
        else { return false }
        graph.replace(nodesAt: [padIndex, index], with: fused)
        return true
    }
}
