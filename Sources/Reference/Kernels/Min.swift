import IR

extension Min: BroadcastArithmeticKernel {
    public func apply<T: KernelFloat>(_ a: T, _ b: T) -> T { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }
    public func apply<T: KernelInteger>(_ a: T, _ b: T) -> T { Swift.min(a, b) }
}
