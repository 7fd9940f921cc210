import IR

extension Tanh: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { T.hyperbolicTangent(x) }
}
