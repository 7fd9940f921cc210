import IR

extension Pad: ReferenceKernel {
    /// Each output axis gets a table from output coordinate to input coordinate (−1: the constant
    /// value), following the formula in `Pad`. The output starts filled with `value`; every row
    /// whose outer coordinates all map into the input then gathers its elements through the table
    /// of the last axis.
    public func evaluate(_ inputs: [Tensor], outputTypes: [TensorType]) throws -> [Tensor] {
        let x = inputs[0], y = Tensor(zeros: outputTypes[0])
        guard y.elementCount > 0, let src = x.storage.bytes.baseAddress, let dst = y.storage.mutableBytes.baseAddress else {
            return [y]
        }
        if mode == .constant { ByteCopy.fill(y.storage.mutableBytes, with: value.storage.bytes) }
        let size = x.elementType.byteSize
        let tables = try tables(for: x.shape)
        guard let lastTable = tables.last else {
            dst.copyMemory(from: src, byteCount: size)  // a scalar: nothing to pad
            return [y]
        }
        let inStrides = Shapes.strides(x.shape)
        let outerRank = y.type.rank - 1, rowLength = y.shape[outerRank]
        var coord = [Int](repeating: 0, count: outerRank)
        for row in 0..<(y.elementCount / rowLength) {
            var offset = 0, inside = true
            for d in 0..<outerRank {
                let i = tables[d][coord[d]]
                if i < 0 { inside = false; break }
                offset += i * inStrides[d]
            }
            if inside {
                ByteCopy.gather(from: src + offset * size, indices: lastTable, to: dst + row * rowLength * size, elementSize: size)
            }
            var k = outerRank - 1
            while k >= 0 {
                coord[k] += 1
                if coord[k] < y.shape[k] { break }
                coord[k] = 0
                k -= 1
            }
        }
        return [y]
    }

    /// Per axis, the input coordinate each output coordinate reads (−1 where constant mode pads).
    private func tables(for shape: [Int]) throws -> [[Int]] {
        try windows(for: shape).map { w in
            (-w.before ..< w.length + w.after).map { k in
                let m = w.length
                let inWindow: Int
                if k >= 0, k < m {
                    inWindow = k
                } else {
                    switch mode {
                    case .constant: return -1
                    case .edge: inWindow = min(max(k, 0), m - 1)
                    case .reflect: inWindow = k < 0 ? -k : 2 * (m - 1) - k
                    case .wrap: inWindow = ((k % m) + m) % m
                    }
                }
                return w.start + inWindow
            }
        }
    }
}
