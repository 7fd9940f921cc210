import Testing
@testable import IR
import Reference

// Shape and data-movement operators: every opset form, against hand-computed values.

// MARK: - Helpers

/// An input whose value is only known at run time.
private func runtime(_ t: Tensor) -> ImportedInput { ImportedInput(type: t.type, constant: nil) }
private func constant(_ t: Tensor) -> ImportedInput { ImportedInput(type: t.type, constant: t) }
private func i64(_ values: [Int64], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [values.count], int64s: values) }
private func f32(_ values: [Float], _ shape: [Int]) -> Tensor { Tensor(shape: shape, floats: values) }
private func iota(_ shape: [Int]) -> Tensor { f32((0..<shape.reduce(1, *)).map(Float.init), shape) }

/// Imports `Op` from a node whose inputs are `values` (nil: omitted; runtime: type only), infers
/// the types and runs the reference kernel.
private func run<Op: ReferenceKernel>(_ op: Op.Type, opset: Int = 17, _ values: [Tensor?], constants: Set<Int> = [],
                                      runtimeOnly: Bool = false) throws -> Tensor {
    try run(op, opset: opset, [:], values, constants: constants, runtimeOnly: runtimeOnly)
}

private func run<Op: ReferenceKernel>(_: Op.Type, opset: Int = 17, _ attributes: [String: AttributeValue],
                                      _ values: [Tensor?], constants: Set<Int> = [], runtimeOnly: Bool = false) throws -> Tensor {
    let inputs: [ImportedInput?] = values.enumerated().map { i, t in
        t.map { constants.contains(i) || (!runtimeOnly && i > 0) ? constant($0) : runtime($0) }
    }
    let (op, used) = try Op.importing(ImportedNode(attributes: Attributes(attributes), opset: opset, inputs: inputs))
    let args = used.compactMap { values[$0] }
    let types = try op.inferTypes(args.map(\.type))
    return try Interpreter.evaluate(op, inputs: args, outputTypes: types)[0]
}

private func int64s(_ t: Tensor) -> [Int64] { t.withElements(as: Int64.self) { Array($0) } }
private func floats(_ t: Tensor) -> [Float] { Array(t.floats) }

// MARK: - Shape, Flatten, Reshape

@Test func shapeWithStartAndEnd() throws {
    let x = iota([2, 3, 5])
    #expect(int64s(try run(Shape.self, [x])) == [2, 3, 5])
    #expect(int64s(try run(Shape.self, opset: 15, ["start": .int(-2)], [x])) == [3, 5])
    #expect(int64s(try run(Shape.self, opset: 15, ["start": .int(1), "end": .int(100)], [x])) == [3, 5])
    let empty = try run(Shape.self, opset: 15, ["start": .int(2), "end": .int(1)], [x])
    #expect(empty.type == TensorType(.int64, [0]))
}

@Test func flattenAxes() throws {
    let x = iota([2, 3, 5])
    #expect(try run(Flatten.self, ["axis": .int(0)], [x]).shape == [1, 30])
    #expect(try run(Flatten.self, ["axis": .int(-1)], [x]).shape == [6, 5])
    #expect(try run(Flatten.self, ["axis": .int(3)], [x]).shape == [30, 1])
    #expect(floats(try run(Flatten.self, [x])) == floats(x))
    #expect(throws: KilnError.self) { try run(Flatten.self, ["axis": .int(4)], [x]) }
}

@Test func reshapeZeroMinusOneAndAllowZero() throws {
    let x = iota([2, 3, 4])
    let y = try run(Reshape.self, [x, i64([0, -1])])
    #expect(y.shape == [2, 12])
    #expect(floats(y) == floats(x))
    #expect(try run(Reshape.self, [x, i64([-1, 3, 0])]).shape == [2, 3, 4])
    // allowzero: a 0 is a real 0-sized dimension.
    let empty = iota([0, 3])
    #expect(try run(Reshape.self, opset: 14, ["allowzero": .int(1)], [empty, i64([3, 0])]).shape == [3, 0])
    // Without allowzero the 0 copies input dim 1 (3), giving 9 elements for an empty input.
    #expect(throws: KilnError.self) { try run(Reshape.self, opset: 14, [empty, i64([3, 0])]) }
    #expect(throws: KilnError.self) { try run(Reshape.self, opset: 14, ["allowzero": .int(1)], [x, i64([0, -1])]) }
    #expect(throws: KilnError.self) { try run(Reshape.self, [x, i64([-1, -1])]) }
    #expect(throws: KilnError.self) { try run(Reshape.self, [x, i64([5, -1])]) }
    #expect(throws: KilnError.self) { try run(Reshape.self, [x, i64([4, 7])]) }
    #expect(throws: KilnError.self) { try run(Reshape.self, [x, i64([-2, 12])]) }
    #expect(throws: KilnError.self) { try run(Reshape.self, [x, i64([1 << 62, 1 << 62, 0])]) }
    #expect(throws: KilnError.self) { try run(Reshape.self, [x, i64([2, 12])], runtimeOnly: true) }
}

@Test func reshapeAttributeFormBeforeOpset5() throws {
    let y = try run(Reshape.self, opset: 4, ["shape": .ints([4, -1])], [iota([2, 3, 4])])
    #expect(y.shape == [4, 6])
}

// MARK: - Squeeze, Unsqueeze, Transpose

@Test func squeezeAttributeAndInputForms() throws {
    let x = iota([1, 3, 1, 2])
    #expect(try run(Squeeze.self, opset: 11, ["axes": .ints([-2])], [x]).shape == [1, 3, 2])
    #expect(try run(Squeeze.self, opset: 13, [x, i64([0, 2])]).shape == [3, 2])
    #expect(try run(Squeeze.self, opset: 13, [x]).shape == [3, 2])
    #expect(try run(Squeeze.self, opset: 11, [x]).shape == [3, 2])
    #expect(floats(try run(Squeeze.self, opset: 13, [x])) == floats(x))
    #expect(throws: KilnError.self) { try run(Squeeze.self, opset: 13, [x, i64([1])]) }  // size 3
    #expect(throws: KilnError.self) { try run(Squeeze.self, opset: 13, [x, i64([4])]) }
    #expect(throws: KilnError.self) { try run(Squeeze.self, opset: 13, [x, i64([0, -4])]) }  // same axis twice
}

@Test func unsqueezeAttributeAndInputForms() throws {
    #expect(try run(Unsqueeze.self, opset: 11, ["axes": .ints([0, -1])], [iota([3])]).shape == [1, 3, 1])
    #expect(try run(Unsqueeze.self, opset: 13, [iota([2, 3]), i64([1])]).shape == [2, 1, 3])
    #expect(try run(Unsqueeze.self, opset: 13, [i64([7], []), i64([0])]).shape == [1])
    #expect(throws: KilnError.self) { try run(Unsqueeze.self, opset: 13, [iota([3]), i64([0, 0])]) }
    #expect(throws: KilnError.self) { try run(Unsqueeze.self, opset: 13, [iota([3]), i64([2])]) }
    #expect(throws: KilnError.self) { try run(Unsqueeze.self, opset: 13, [iota([3])]) }
}

@Test func transposeDefaultAndPerm() throws {
    // [[0 1 2] [3 4 5]] reversed → [[0 3] [1 4] [2 5]], in int64.
    let y = try run(Transpose.self, [i64([0, 1, 2, 3, 4, 5], [2, 3])])
    #expect(y.shape == [3, 2])
    #expect(int64s(y) == [0, 3, 1, 4, 2, 5])
    // perm [1, 2, 0] on [2, 3, 4]: Y[j, k, i] = X[i, j, k] = 12i + 4j + k.
    let z = try run(Transpose.self, ["perm": .ints([1, 2, 0])], [iota([2, 3, 4])])
    #expect(z.shape == [3, 4, 2])
    var expected: [Float] = []
    for j in 0..<3 { for k in 0..<4 { for i in 0..<2 { expected.append(Float(12 * i + 4 * j + k)) } } }
    #expect(floats(z) == expected)
    // One-byte elements.
    let b = Tensor(copying: [UInt8](arrayLiteral: 1, 2, 3, 4, 5, 6), as: TensorType(.uint8, [3, 2]))
    #expect(try run(Transpose.self, [b]).withElements(as: UInt8.self) { Array($0) } == [1, 3, 5, 2, 4, 6])
    #expect(throws: KilnError.self) { try run(Transpose.self, ["perm": .ints([0, 0])], [iota([2, 2])]) }
}

// MARK: - Concat, Gather, Expand, ConstantOfShape

@Test func concatNegativeAxisManyInputs() throws {
    let y = try run(Concat.self, ["axis": .int(-1)],
                    [i64([1, 2], [2, 1]), i64([3, 4, 5, 6], [2, 2]), i64([], [2, 0]), i64([7, 8], [2, 1])], constants: [0])
    #expect(y.shape == [2, 4])
    #expect(int64s(y) == [1, 3, 4, 7, 2, 5, 6, 8])
    let rows = try run(Concat.self, ["axis": .int(0)], [f32([1, 2], [1, 2]), f32([3, 4, 5, 6], [2, 2])], constants: [0])
    #expect(floats(rows) == [1, 2, 3, 4, 5, 6])
    let bools = Tensor(copying: [UInt8](arrayLiteral: 1, 0), as: TensorType(.bool, [2]))
    #expect(try run(Concat.self, ["axis": .int(0)], [bools, bools]).withElements(as: UInt8.self) { Array($0) } == [1, 0, 1, 0])
    #expect(throws: KilnError.self) { try run(Concat.self, ["axis": .int(0)], [iota([2, 2]), iota([2, 3])]) }
    #expect(throws: KilnError.self) { try run(Concat.self, ["axis": .int(0)], [iota([2]), i64([1, 2])]) }
}

@Test func gatherAxesAndNegativeIndices() throws {
    // The shape-subgraph pattern: Gather(Shape(x), -1) as a scalar.
    let dims = i64([1, 3, 17, 224])
    let last = try run(Gather.self, [dims, i64([-1], [])])
    #expect(last.type == TensorType(.int64, []))
    #expect(int64s(last) == [224])
    // axis 1 with 2-D int32 indices: Y[i, a, b] = X[i, I[a, b]].
    let indices = Tensor(copying: [Int32](arrayLiteral: 2, 0, -1, 1), as: TensorType(.int32, [2, 2]))
    let y = try run(Gather.self, ["axis": .int(1)], [iota([2, 3]), indices], runtimeOnly: true)
    #expect(y.shape == [2, 2, 2])
    #expect(floats(y) == [2, 0, 2, 1, 5, 3, 5, 4])
    // An index out of range is an error from the kernel, not a trap.
    #expect(throws: KilnError.self) { try run(Gather.self, [dims, i64([4])], runtimeOnly: true) }
    #expect(throws: KilnError.self) { try run(Gather.self, [dims, i64([-5])]) }
    #expect(throws: KilnError.self) { try run(Gather.self, ["axis": .int(1)], [dims, i64([0])]) }
}

@Test func expandBroadcastsBothWays() throws {
    // [3, 1] to [2, 1, 4]: the 1 in the target keeps the input's 3.
    let y = try run(Expand.self, [f32([1, 2, 3], [3, 1]), i64([2, 1, 4])])
    #expect(y.shape == [2, 3, 4])
    #expect(floats(y) == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
    #expect(int64s(try run(Expand.self, [i64([5, 6], [2]), i64([2, 1])])) == [5, 6, 5, 6])
    #expect(try run(Expand.self, [iota([2, 3]), i64([1])]).shape == [2, 3])
    #expect(throws: KilnError.self) { try run(Expand.self, [iota([2, 3]), i64([4, 3])]) }
    #expect(throws: KilnError.self) { try run(Expand.self, [iota([3]), i64([-1, 3])]) }
    #expect(throws: KilnError.self) { try run(Expand.self, [iota([1]), i64([1 << 40, 1 << 40])]) }
}

@Test func constantOfShapeValues() throws {
    let zeros = try run(ConstantOfShape.self, [i64([2, 3])], constants: [0])
    #expect(zeros.type == TensorType(.float32, [2, 3]))
    #expect(floats(zeros) == [Float](repeating: 0, count: 6))
    let sevens = try run(ConstantOfShape.self, ["value": .tensor(i64([7]))], [i64([3])], constants: [0])
    #expect(int64s(sevens) == [7, 7, 7])
    let scalar = try run(ConstantOfShape.self, ["value": .tensor(f32([1.5], [1]))], [i64([], [0])], constants: [0])
    #expect(scalar.type == TensorType(.float32, []) && floats(scalar) == [1.5])
    #expect(throws: KilnError.self) { try run(ConstantOfShape.self, [i64([2, -1])], constants: [0]) }
    #expect(throws: KilnError.self) { try run(ConstantOfShape.self, [i64([1 << 40, 1 << 40])], constants: [0]) }
    #expect(throws: KilnError.self) { try run(ConstantOfShape.self, [i64([2])]) }  // runtime shape
}

// MARK: - Slice

@Test func sliceAttributeForm() throws {
    // Opset 9: X[0:1, 1:1000] of [[0 1 2 3] [4 5 6 7]].
    let y = try run(Slice.self, opset: 9, ["starts": .ints([0, 1]), "ends": .ints([1, 1000])], [iota([2, 4])])
    #expect(y.shape == [1, 3])
    #expect(floats(y) == [1, 2, 3])
    let z = try run(Slice.self, opset: 9, ["starts": .ints([-2]), "ends": .ints([-1]), "axes": .ints([1])], [iota([2, 4])])
    #expect(floats(z) == [2, 6])
}

@Test func sliceInputFormWithStepsAndExtremes() throws {
    let x = iota([2, 5])
    let int64Max = Int64.max, int64Min = Int64.min
    // Every second column from 1 to the end.
    #expect(floats(try run(Slice.self, [x, i64([1]), i64([int64Max]), i64([-1]), i64([2])])) == [1, 3, 6, 8])
    // Reversed columns: start −1, end INT64_MIN, step −1.
    #expect(floats(try run(Slice.self, [x, i64([-1]), i64([int64Min]), i64([1]), i64([-1])])) == [4, 3, 2, 1, 0, 9, 8, 7, 6, 5])
    // Reversed rows, every third column backwards from 4: columns 4 and 1.
    #expect(floats(try run(Slice.self, [x, i64([100, 4]), i64([-100, -100]), nil, i64([-1, -3])])) == [9, 6, 4, 1])
    // A huge negative step takes one element.
    #expect(floats(try run(Slice.self, [x, i64([3]), i64([0]), i64([1]), i64([int64Min])])) == [3, 8])
    // Empty windows.
    #expect(try run(Slice.self, [x, i64([3]), i64([1]), i64([1])]).shape == [2, 0])
    #expect(try run(Slice.self, [x, i64([0]), i64([5]), i64([1]), i64([-1])]).shape == [2, 0])
    // Works in int64 too (shape subgraphs): Shape → Slice [2:].
    #expect(int64s(try run(Slice.self, [i64([1, 3, 224, 224]), i64([2]), i64([int64Max])])) == [224, 224])
    #expect(throws: KilnError.self) { try run(Slice.self, [x, i64([0]), i64([1]), i64([1]), i64([0])]) }
    #expect(throws: KilnError.self) { try run(Slice.self, [x, i64([0]), i64([1]), i64([2])]) }
    #expect(throws: KilnError.self) { try run(Slice.self, [x, i64([0, 0]), i64([1]), i64([0, 1])]) }
    #expect(throws: KilnError.self) { try run(Slice.self, [x, i64([0]), i64([1])], runtimeOnly: true) }
}

// MARK: - Pad

@Test func padAttributeFormBeforeOpset11() throws {
    // Opset 2–10: pads and value attributes. [[1 2]] with one row below and one column in front.
    let y = try run(Pad.self, opset: 10, ["pads": .ints([0, 1, 1, 0]), "value": .float(1.5)], [f32([1, 2], [1, 2])])
    #expect(y.shape == [2, 3])
    #expect(floats(y) == [1.5, 1, 2, 1.5, 1.5, 1.5])
    let r = try run(Pad.self, opset: 10, ["pads": .ints([2, 1]), "mode": .string("reflect")], [f32([1, 2, 3, 4], [4])])
    #expect(floats(r) == [3, 2, 1, 2, 3, 4, 3])
}

@Test func padInputFormModes() throws {
    let x = f32([1, 2, 3, 4], [4])
    func pad(_ mode: String, _ pads: [Int64], opset: Int = 19) throws -> [Float] {
        floats(try run(Pad.self, opset: opset, ["mode": .string(mode)], [x, i64(pads)]))
    }
    #expect(try pad("constant", [2, 1]) == [0, 0, 1, 2, 3, 4, 0])
    #expect(try pad("edge", [2, 1]) == [1, 1, 1, 2, 3, 4, 4])
    #expect(try pad("reflect", [3, 2], opset: 11) == [4, 3, 2, 1, 2, 3, 4, 3, 2])
    #expect(try pad("wrap", [5, 2]) == [4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2])
    // Negative pads crop first, then the other side is padded from the cropped window
    // (values checked against onnxruntime).
    #expect(try pad("constant", [-1, 2]) == [2, 3, 4, 0, 0])
    #expect(try pad("edge", [2, -1]) == [1, 1, 1, 2, 3])
    #expect(try pad("reflect", [2, -1]) == [3, 2, 1, 2, 3])
    #expect(try pad("wrap", [-1, 3]) == [2, 3, 4, 2, 3, 4])
    #expect(try pad("constant", [-4, 0]).isEmpty)
    // constant_value input, in int64.
    let ints = try run(Pad.self, opset: 11, [i64([1, 2]), i64([1, 1]), i64([9], [])])
    #expect(int64s(ints) == [9, 1, 2, 9])
    #expect(throws: KilnError.self) { try pad("wrap", [1, 1], opset: 18) }
    #expect(throws: KilnError.self) { try pad("reflect", [4, 0]) }
    #expect(throws: KilnError.self) { try pad("reflect", [-1, 3]) }
    #expect(throws: KilnError.self) { try pad("constant", [-3, -2]) }
    #expect(throws: KilnError.self) { try pad("constant", [Int64.max, 1]) }
    #expect(throws: KilnError.self) { try pad("constant", [Int64.min, 0]) }
    #expect(throws: KilnError.self) { try pad("constant", [1, 1, 1]) }
    #expect(throws: KilnError.self) { try pad("symmetric", [1, 1]) }
    #expect(throws: KilnError.self) { try run(Pad.self, opset: 11, [i64([1, 2]), i64([1, 1]), f32([0], [])]) }
}

@Test func padTwoDimensionalWithAxes() throws {
    // [[1 2 3] [4 5 6]], wrap, rows +1/+1, columns crop 1 in front and +2 behind (checked against onnxruntime).
    let x = f32([1, 2, 3, 4, 5, 6], [2, 3])
    let wrapped = try run(Pad.self, opset: 19, ["mode": .string("wrap")], [x, i64([1, -1, 1, 2])])
    #expect(wrapped.shape == [4, 4])
    #expect(floats(wrapped) == [5, 6, 5, 6, 2, 3, 2, 3, 5, 6, 5, 6, 2, 3, 2, 3])
    // Opset 18 axes input: pad only the last axis, given as −1.
    let y = try run(Pad.self, opset: 18, [x, i64([1, 0]), f32([7], []), i64([-1])])
    #expect(floats(y) == [7, 1, 2, 3, 7, 4, 5, 6])
    #expect(throws: KilnError.self) { try run(Pad.self, opset: 18, [x, i64([1, 0, 0, 0]), nil, i64([-1])]) }
    // Edge on both axes of a 2-D tensor.
    let e = try run(Pad.self, ["mode": .string("edge")], [f32([1, 2, 3, 4], [2, 2]), i64([1, 0, 0, 1])])
    #expect(floats(e) == [1, 2, 2, 1, 2, 2, 3, 4, 4])
}

// MARK: - A shape subgraph, folded with these kernels

/// The exporter pattern Shape → Gather → Unsqueeze → Concat → Reshape, all in int64: flatten all
/// but the batch dimension of a [2, 3, 4] tensor.
@Test func shapeSubgraphInInt64() throws {
    let x = iota([2, 3, 4])
    let shape = try run(Shape.self, [x])
    let batch = try run(Gather.self, [shape, i64([0], [])])
    let batch1 = try run(Unsqueeze.self, opset: 13, [batch, i64([0])])
    let target = try run(Concat.self, ["axis": .int(0)], [batch1, i64([-1])], constants: [0])
    #expect(int64s(target) == [2, -1])
    let y = try run(Reshape.self, [x, target])
    #expect(y.shape == [2, 12])
}

// MARK: - Every element type

/// A tensor of `type` holding small whole numbers (1 for every nonzero value when bool).
private func tensor(_ values: [Double], _ shape: [Int], _ type: ElementType) throws -> Tensor {
    let y = Tensor(zeros: TensorType(type, shape))
    let size = type.byteSize
    for (i, v) in values.enumerated() {
        let scalar = try Tensor.scalar(v, as: type)
        (y.storage.mutableBytes.baseAddress! + i * size).copyMemory(from: scalar.storage.bytes.baseAddress!, byteCount: size)
    }
    return y
}

/// Data movement is byte copying: every op gives the same numbers in every element type as in float32.
@Test(arguments: ElementType.allCases)
func dataMovementInEveryElementType(_ type: ElementType) throws {
    let values: [Double] = type == .bool ? [1, 0, 0, 1, 1, 0] : [1, 2, 3, 4, 5, 6]
    let x = try tensor(values, [2, 3], type), reference = try tensor(values, [2, 3], .float32)
    func same(_ op: (Tensor) throws -> Tensor) throws {
        let y = try op(x), expected = try op(reference)
        #expect(y.elementType == type)
        #expect(y.shape == expected.shape && y.doubles() == expected.doubles(), "\(type)")
    }
    try same { try run(Transpose.self, [$0]) }
    try same { try run(Slice.self, [$0, i64([-1, 2]), i64([Int64.min, 0]), nil, i64([-1, -2])]) }
    try same { try run(Pad.self, opset: 19, ["mode": .string("wrap")], [$0, i64([1, -1, 0, 3])]) }
    try same { try run(Pad.self, opset: 19, ["mode": .string("edge")], [$0, i64([1, 2, 1, 0])]) }
    try same { try run(Pad.self, opset: 19, ["mode": .string("reflect")], [$0, i64([1, 2, 0, 1])]) }
    try same { try run(Expand.self, [$0, i64([2, 1, 1])]) }
    try same { try run(Concat.self, ["axis": .int(-1)], [$0, $0], constants: [0]) }
    try same { try run(Gather.self, ["axis": .int(1)], [$0, i64([2, -3, 1])]) }
    try same { try run(Squeeze.self, [try run(Unsqueeze.self, [$0, i64([0, -1])])]) }
    try same { try run(Reshape.self, [try run(Flatten.self, ["axis": .int(0)], [$0]), i64([3, -1])]) }
    // A constant pad value of the same type.
    let nine = try tensor([type == .bool ? 1 : 9], [], type), nineF = try tensor([type == .bool ? 1 : 9], [], .float32)
    let padded = try run(Pad.self, [x, i64([0, 1, 0, 1]), nine])
    let paddedF = try run(Pad.self, [reference, i64([0, 1, 0, 1]), nineF])
    #expect(padded.doubles() == paddedF.doubles())
    let filled = try run(ConstantOfShape.self, ["value": .tensor(nine)], [i64([2, 2])], constants: [0])
    #expect(filled.type == TensorType(type, [2, 2]) && filled.doubles() == [Double](repeating: type == .bool ? 1 : 9, count: 4))
}
