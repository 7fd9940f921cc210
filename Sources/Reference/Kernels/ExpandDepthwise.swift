import IR

extension ExpandDepthwise: ReferenceKernel {
    /// Exactly the FusedConvs it fuses, one after the other: the expanded tensor and the depthwise
    /// output exist here (the interpreter is the obviously correct version, not the fast one).
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let types = inputs.map(\.type)
        let expanded = try expandConv.evaluate(Array(inputs[0...2]), outputTypes: [try expandedType(types)])
        guard let project = projectConv else {
            return try depthwiseConv.evaluate([expanded[0], inputs[3], inputs[4]], outputTypes: outputTypes)
        }
        let d = try depthwiseConv.evaluate([expanded[0], inputs[3], inputs[4]], outputTypes: [try depthwiseType(types)])
        return try project.evaluate(d + inputs[5...], outputTypes: outputTypes)
    }
}
