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
}
