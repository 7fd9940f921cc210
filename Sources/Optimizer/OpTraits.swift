import IR

/// Facts about operators that several passes ask, in one place.
enum OpTraits {
    /// Whether every output element depends only on the input elements at the same logical index
    /// (plus per-channel or broadcast parameters): unary maps, broadcasting arithmetic, Kiln's
    /// activations, and the per-channel affine maps ScaleShift and (inference) BatchNormalization.
    /// Such an op can run in any layout and, where sizes agree, in place.
    static func isElementwise(_ op: any Operator) -> Bool {
        op is any UnaryElementwise || op is any BroadcastingElementwise || isPerChannelAffine(op)
            || op is Relu || op is Relu6 || op is SiLU
    }

    /// Ops whose inputs after the first are per-channel parameters [C] (not numpy-broadcast).
    static func isPerChannelAffine(_ op: any Operator) -> Bool {
        op is ScaleShift || op is BatchNormalization
    }

    /// Ops that keep the elements and their row-major order and change only the shape: Reshape,
    /// Flatten, Squeeze, Unsqueeze. A chain of them is one Reshape; one that keeps the type is a no-op.
    static func isShapeOnly(_ op: any Operator) -> Bool {
        op is Reshape || op is Flatten || op is Squeeze || op is Unsqueeze
    }

    /// Whether image n of the op's outputs (index n of dimension 0) is computed from image n of the inputs
    /// that carry the batch (`batched`) and from the other inputs whole, so it can run one image at a time
    /// (`split-batch`). The caller also checks that one image's shapes come out as the batch's with a 1 in
    /// front, which rules out the ops that move dimension 0 (a Reshape merging it, a Concat along it, a
    /// Flatten at axis 0); what shapes cannot show is said here: reductions, softmaxes, transposes, slices
    /// and paddings on dimension 0, and weights that are themselves per image.
    static func keepsImagesApart(_ op: any Operator, inputs: [TensorType], batched: [Bool]) -> Bool {
        let imagesFirstOnly = !batched.dropFirst().contains(true)
        switch op {
        case is FusedConv:
            return !batched[1] && !batched[2]  // the gate and the residual are per image, as the input
        case let block as ExpandDepthwise:
            // the residual, when the project conv is fused, is the same image's tensor as the input
            let residual = block.residualSlot(inputCount: inputs.count)
            return batched.indices.allSatisfy { !batched[$0] || $0 == 0 || $0 == residual }
        case is Conv, is SqueezeExcite, is SqueezeExciteGate, is Dense, is Reorder,
             is MaxPool, is AveragePool, is GlobalAveragePool:
            return imagesFirstOnly
        case let gemm as Gemm:
            return !gemm.transA && imagesFirstOnly
        case is MatMul:
            return imagesFirstOnly && inputs.count == 2 && inputs[1].rank == 2
        case let transpose as Transpose:
            return transpose.perm.first == 0
        case let softmax as Softmax:
            return !softmax.axes.contains(0)
        case let mean as ReduceMean:
            return !mean.axes.contains(0)
        case let pad as Pad:
            let rank = inputs.first?.rank ?? 0
            return rank > 0 && pad.pads.count == 2 * rank && pad.pads[0] == 0 && pad.pads[rank] == 0
        case let slice as Slice:
            guard let shape = inputs.first?.shape, let window = (try? slice.windows(for: shape))?.first else { return false }
            return window.start == 0 && window.step == 1 && window.count == shape.first
        case is Concat, is Identity, is Dropout:
            return true
        case _ where isPerChannelAffine(op):
            return imagesFirstOnly  // the scale and shift are per channel, not per image
        case _ where isElementwise(op):
            // Broadcasting aligns the last dimensions: a batched operand of lower rank than another (a [N, 1, 1]
            // against [N, C, H, W]) would meet the images along a later dimension, not dimension 0.
            let rank = inputs.map(\.rank).max() ?? 0
            return zip(inputs, batched).allSatisfy { !$1 || $0.rank == rank }
        default:
            return isShapeOnly(op)
        }
    }
}
