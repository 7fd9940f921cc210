import IR

extension Max: BroadcastArithmeticKernel {
    public func apply<T: KernelFloat>(_ a: T, _ b: T) -> T { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    public func apply<T: KernelInteger>(_ a: T, _ b: T) -> T { Swift.max(a, b) }
}
