import IR

extension Relu: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { max(x, 0) }
}
