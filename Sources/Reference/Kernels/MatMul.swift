import IR

extension MatMul: ReferenceKernel {
    /// For each output batch, the matrices of A and B it reads (through the batch broadcast), then
    /// Y[i, ·] += A[i, p] · B[p, ·] so the inner loop walks rows of B and Y.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let plan = try Self.plan(inputs[0].type, inputs[1].type)
        let (m, k, n) = (plan.m, plan.k, plan.n)
        let y = Tensor(zeros: outputTypes[0])
        let a = inputs[0].floats, b = inputs[1].floats, ys = y.mutableFloats
        let aMatrices = Kernel.broadcastIndices(from: plan.aBatch, to: plan.batch)
        let bMatrices = Kernel.broadcastIndices(from: plan.bBatch, to: plan.batch)
        for batch in 0..<aMatrices.count {
            let aBase = aMatrices[batch] * m * k, bBase = bMatrices[batch] * k * n, yBase = batch * m * n
            for i in 0..<m {
                let yRow = yBase + i * n
                for p in 0..<k {
                    let aip = a[aBase + i * k + p]
                    let bRow = bBase + p * n
                    for j in 0..<n { ys[yRow + j] += aip * b[bRow + j] }
                }
            }
        }
        return [y]
    }
}
