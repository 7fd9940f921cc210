import IR

extension Sigmoid: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { 1 / (1 + T.exponential(-x)) }
}
