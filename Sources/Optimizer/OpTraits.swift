import IR

/// Facts about operators that several passes ask, in one place.
enum OpTraits {
    /// Whether every output element depends only on the input elements at the same logical index
    /// (plus per-channel or broadcast parameters): unary maps, broadcasting arithmetic, Kiln's
    /// activations and ScaleShift. Such an op can run in any layout and, where sizes agree, in place.
    static func isElementwise(_ op: any Operator) -> Bool {
        op is any UnaryElementwise || op is any BroadcastingElementwise
            || op is Relu || op is Relu6 || op is SiLU || op is ScaleShift
    }

    /// The layout annotations `select-layout` records.
    static let layoutKeys = ["layout", "input_layout", "layout_reason", "weight_packing"]
}

extension AttributeValue {
    /// The string inside a `.string` value.
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
