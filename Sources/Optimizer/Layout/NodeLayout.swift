import IR

extension Node {
    /// The layout this node writes its result in, as `select-layout` recorded it: a Reorder's target,
    /// else the `layout` annotation, NCHW when there is none (ONNX's layout). Memory planning sizes
    /// tensors by it and code generation picks kernels by it, so both read it here.
    public var outputLayout: Layout {
        if let reorder = op as? Reorder { return reorder.to }
        guard case .string(let name)? = annotations["layout"] else { return .nchw }
        return Layout(rawValue: name) ?? .nchw
    }
}
