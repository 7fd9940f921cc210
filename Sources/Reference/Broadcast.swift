import IR

/// How to walk a numpy-broadcast output and its inputs together, in rows.
///
/// Every input gets per-dimension strides into its own buffer (0 along the dimensions it is
/// broadcast in). Dimensions of size 1 are dropped and neighbouring dimensions merged wherever
/// every input is laid out contiguously across them, so the walk is as few, long rows as
/// possible: `[1,32,112,112] · [1,32,1,1]` becomes 32 rows of 12544 elements, where the second
/// input steps by 0 within a row. The outer dimensions are walked like an odometer.
struct BroadcastWalk {
    /// Elements per row; the output is `rowCount` rows of `rowLength` contiguous elements.
    let rowLength: Int
    let rowCount: Int
    /// Each input's step between neighbouring elements of a row.
    let steps: [Int]
    /// The outer (row-indexing) dimensions and each input's strides along them.
    private let outerShape: [Int]
    private let outerStrides: [[Int]]

    init(output: [Int], inputs: [[Int]]) {
        // Per input, the strides of its (left-padded) shape in the output's dimensions.
        var dims: [(size: Int, strides: [Int])] = []
        let inputStrides = inputs.map { shape -> [Int] in
            let padded = [Int](repeating: 1, count: output.count - shape.count) + shape
            return zip(padded, Shapes.strides(padded)).map { $0 == 1 ? 0 : $1 }
        }
        for d in output.indices where output[d] != 1 {
            let strides = inputStrides.map { $0[d] }
            if let last = dims.last,
               zip(last.strides, strides).allSatisfy({ $0 == $1 * output[d] }) {
                dims[dims.count - 1] = (last.size * output[d], strides)
            } else {
                dims.append((output[d], strides))
            }
        }
        let inner = dims.popLast() ?? (1, [Int](repeating: 0, count: inputs.count))
        rowLength = inner.size
        steps = inner.strides
        outerShape = dims.map(\.size)
        outerStrides = inputs.indices.map { i in dims.map { $0.strides[i] } }
        rowCount = outerShape.reduce(1, *)
    }

    /// Calls `body` for every row with the output offset of its first element and, per input, the
    /// offset of the input element that goes with it.
    @inline(__always)
    func forEachRow(_ body: (_ outOffset: Int, _ inOffsets: UnsafeMutableBufferPointer<Int>) -> Void) {
        guard rowLength > 0, rowCount > 0 else { return }
        var coordinate = [Int](repeating: 0, count: outerShape.count)
        var offsets = [Int](repeating: 0, count: steps.count)
        offsets.withUnsafeMutableBufferPointer { offsets in
            for row in 0..<rowCount {
                body(row * rowLength, offsets)
                // Advance the odometer and move every input's offset with it.
                var d = outerShape.count - 1
                while d >= 0 {
                    coordinate[d] += 1
                    for i in 0..<offsets.count { offsets[i] += outerStrides[i][d] }
                    if coordinate[d] < outerShape[d] { break }
                    for i in 0..<offsets.count { offsets[i] -= outerStrides[i][d] * outerShape[d] }
                    coordinate[d] = 0
                    d -= 1
                }
            }
        }
    }
}

extension Kernel {
    /// `f` applied to the elements of `a` and `b` (read as `A` and `B`) under numpy broadcasting,
    /// into a new tensor of `type`, whose shape must be the broadcast of theirs.
    ///
    /// Equal shapes and a scalar operand (the common cases in CNNs) get direct loops; the rest
    /// go through `BroadcastWalk`, whose rows are again direct loops for unit and zero steps.
    @inline(__always)
    static func broadcast<A, B, C>(_ a: Tensor, _ b: Tensor, as _: (A.Type, B.Type), into type: TensorType,
                                   _ f: (A, B) -> C) -> Tensor {
        let out = Tensor(zeros: type)
        let x = a.storage.bytes.bindMemory(to: A.self)
        let y = b.storage.bytes.bindMemory(to: B.self)
        let z = out.storage.mutableBytes.bindMemory(to: C.self)
        let n = type.elementCount
        if x.count == n && y.count == n {
            for i in 0..<n { z[i] = f(x[i], y[i]) }
        } else if y.count == 1 {
            let s = y[0]
            for i in 0..<n { z[i] = f(x[i], s) }
        } else if x.count == 1 {
            let s = x[0]
            for i in 0..<n { z[i] = f(s, y[i]) }
        } else {
            let walk = BroadcastWalk(output: type.shape, inputs: [a.shape, b.shape])
            let (sa, sb, length) = (walk.steps[0], walk.steps[1], walk.rowLength)
            walk.forEachRow { o, offsets in
                let (ia, ib) = (offsets[0], offsets[1])
                // Offsets stay below the element counts, so `&+` cannot wrap; it spares the
                // overflow checks that would keep these loops from vectorizing.
                switch (sa, sb) {
                case (1, 1): for i in 0..<length { z[o &+ i] = f(x[ia &+ i], y[ib &+ i]) }
                case (1, 0): let s = y[ib]; for i in 0..<length { z[o &+ i] = f(x[ia &+ i], s) }
                case (0, 1): let s = x[ia]; for i in 0..<length { z[o &+ i] = f(s, y[ib &+ i]) }
                default: for i in 0..<length { z[o &+ i] = f(x[ia &+ i &* sa], y[ib &+ i &* sb]) }
                }
            }
        }
        return out
    }
}
