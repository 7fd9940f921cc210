import IR

extension Sqrt: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { x.squareRoot() }
}
