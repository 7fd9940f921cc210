import IR

extension Sub: BroadcastArithmeticKernel {
    public func apply<T: KernelFloat>(_ a: T, _ b: T) -> T { a - b }
    public func apply<T: KernelInteger>(_ a: T, _ b: T) -> T { a &- b }
}
