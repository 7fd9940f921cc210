import IR

extension Gemm: ReferenceKernel {
    /// Row by row: accumulate Σ_k A'[i, k] · B'[k, ·] into a row of N (so the inner loop walks a row
    /// of B' when B is not transposed), then scale and add the broadcast C.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let (m, k, n) = try dimensions(inputs[0].type, inputs[1].type)
        let y = Tensor(zeros: outputTypes[0])
        let a = inputs[0].floats, b = inputs[1].floats, ys = y.mutableFloats
        // Element strides of A' (rows i, columns k) and B' (rows k, columns j) in the stored matrices.
        let (aRow, aCol) = transA ? (1, m) : (k, 1)
        let (bRow, bCol) = transB ? (1, k) : (n, 1)
        // C as [rows, cols] with 1s where it broadcasts.
        let c = inputs.count > 2 ? inputs[2] : nil
        let cShape = c.map { [Int](repeating: 1, count: 2 - $0.type.rank) + $0.shape } ?? [1, 1]
        let cs = c?.floats
        var row = [Float](repeating: 0, count: n)
        for i in 0..<m {
            for j in 0..<n { row[j] = 0 }
            for p in 0..<k {
                let aip = a[i * aRow + p * aCol]
                for j in 0..<n { row[j] += aip * b[p * bRow + j * bCol] }
            }
            for j in 0..<n {
                var value = alpha * row[j]
                if let cs { value += beta * cs[(cShape[0] == 1 ? 0 : i) * cShape[1] + (cShape[1] == 1 ? 0 : j)] }
                ys[i * n + j] = value
            }
        }
        return [y]
    }
}
