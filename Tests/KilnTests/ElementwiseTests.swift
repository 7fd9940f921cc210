import Foundation
import Testing
import IR
@testable import Reference

// MARK: - Helpers

/// Imports `Op` from a node with the given inputs (nil = omitted; all known at compile time),
/// infers its types and runs its reference kernel on the inputs the operator keeps.
private func run<Op: Operator>(_: Op.Type, _ inputs: [Tensor?], _ attributes: [String: AttributeValue] = [:],
                               opset: Int = 17) throws -> [Tensor] {
    let node = ImportedNode(attributes: Attributes(attributes), opset: opset,
                            inputs: inputs.map { $0.map { ImportedInput(type: $0.type, constant: $0) } })
    let (op, kept) = try Op.importing(node)
    let args = kept.compactMap { inputs[$0] }
    let types = try op.inferTypes(args.map(\.type))
    return try Interpreter.evaluate(op, inputs: args, outputTypes: types)
}

private func run1<Op: Operator>(_ op: Op.Type, _ inputs: [Tensor?], _ attributes: [String: AttributeValue] = [:],
                                opset: Int = 17) throws -> Tensor {
    try run(op, inputs, attributes, opset: opset)[0]
}

private func f32(_ values: [Float], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [values.count], floats: values) }
private func i64(_ values: [Int64], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [values.count], int64s: values) }
private func tensor<T>(_ values: [T], _ type: ElementType, _ shape: [Int]? = nil) -> Tensor {
    Tensor(copying: values, as: TensorType(type, shape ?? [values.count]))
}
private func elements<T>(_ t: Tensor, _: T.Type) -> [T] { t.withElements(as: T.self) { Array($0) } }
private func floats(_ t: Tensor) -> [Float] { elements(t, Float.self) }
private func bools(_ t: Tensor) -> [Bool] { elements(t, UInt8.self).map { $0 != 0 } }

private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

/// The values 0, 1, 2… scaled and shifted, as float32 of `shape`.
private func ramp(_ shape: [Int], scale: Float = 0.37, offset: Float = -3) -> Tensor {
    let n = shape.reduce(1, *)
    return f32((0..<n).map { Float($0) * scale + offset }, shape)
}

// MARK: - Unary float maps

@Test func unaryValuesMatchHandComputedResults() throws {
    let x = f32([-1, 0, 2])
    #expect(close(floats(try run1(Sigmoid.self, [x])), [0.26894142, 0.5, 0.88079708]))
    #expect(close(floats(try run1(Exp.self, [x])), [0.36787944, 1, 7.3890561]))
    #expect(close(floats(try run1(Tanh.self, [x])), [-0.76159416, 0, 0.96402758]))
    #expect(close(floats(try run1(Erf.self, [x])), [-0.84270079, 0, 0.99532227]))
    #expect(floats(try run1(Sqrt.self, [f32([0, 4, 2.25])])) == [0, 2, 1.5])
    #expect(floats(try run1(Sqrt.self, [f32([-1])]))[0].isNaN)
    let halves = f32([-1.5, -0.5, 0.5, 1.5, 3])
    #expect(floats(try run1(Ceil.self, [halves])) == [-1, 0, 1, 2, 3])
    #expect(floats(try run1(Floor.self, [halves])) == [-2, -1, 0, 1, 3])
    // HardSigmoid defaults alpha 0.2, beta 0.5: clamps at x = ±2.5.
    #expect(close(floats(try run1(HardSigmoid.self, [f32([-3, -1, 0, 1, 3])])), [0, 0.3, 0.5, 0.7, 1]))
    #expect(close(floats(try run1(HardSigmoid.self, [f32([-1, 0, 1])], ["alpha": .float(0.5), "beta": .float(0.6)])),
                  [0.1, 0.6, 1]))
    #expect(close(floats(try run1(HardSwish.self, [f32([-4, -1, 0, 1, 4])])), [0, -1.0 / 3, 0, 2.0 / 3, 4]))
    // Swish(x) = x · sigmoid(alpha·x).
    #expect(close(floats(try run1(Swish.self, [x], opset: 24)), [-0.26894142, 0, 1.76159416]))
    #expect(close(floats(try run1(Swish.self, [x], ["alpha": .float(2)], opset: 24)), [-0.11920292, 0, 1.96402758]))
}

@Test func unaryFloat64AndOddSizes() throws {
    let x = tensor([-2.0, 0.25, 40.0], .float64)
    let y = try run1(Sigmoid.self, [x])
    #expect(y.type == x.type)
    let expected = [-2.0, 0.25, 40.0].map { 1 / (1 + exp(-$0)) }
    #expect(zip(elements(y, Double.self), expected).allSatisfy { abs($0 - $1) < 1e-15 })

    let big = ramp([1, 3, 5, 7])
    let out = try run1(Sigmoid.self, [big])
    #expect(out.shape == [1, 3, 5, 7])
    #expect(close(floats(out), floats(big).map { 1 / (1 + exp(-$0)) }))
}

@Test func unaryRejectsIntegerInputAndNaNPropagatesThroughClamps() throws {
    #expect(throws: KilnError.self) { try run1(Sigmoid.self, [i64([1])]) }
    #expect(throws: KilnError.self) { try run1(Exp.self, [f32([1]), f32([2])]) }
    #expect(floats(try run1(HardSigmoid.self, [f32([.nan])]))[0].isNaN)
    #expect(floats(try run1(HardSwish.self, [f32([.nan])]))[0].isNaN)
}

@Test func identityKeepsAnyType() throws {
    let x = tensor([1, 0, 1] as [UInt8], .bool)
    let y = try run1(Identity.self, [x])
    #expect(y.type == x.type && bools(y) == [true, false, true])
}

// MARK: - Clip

@Test func clipOpsetVariants() throws {
    let x = f32([-3, -1, 0, 1, 3])
    // Opset 6: bounds are attributes.
    #expect(floats(try run1(Clip.self, [x], ["min": .float(-1.5), "max": .float(2)], opset: 6)) == [-1.5, -1, 0, 1, 2])
    #expect(floats(try run1(Clip.self, [x], ["max": .float(0)], opset: 6)) == [-3, -1, 0, 0, 0])
    #expect(throws: KilnError.self) { try run1(Clip.self, [x, f32([0], [])], opset: 6) }
    // Opset 11+: bounds are optional inputs; an omitted min has an empty name.
    #expect(floats(try run1(Clip.self, [x, f32([-1.5], []), f32([2], [])], opset: 13)) == [-1.5, -1, 0, 1, 2])
    #expect(floats(try run1(Clip.self, [x, nil, f32([0.5], [])], opset: 13)) == [-3, -1, 0, 0.5, 0.5])
    #expect(floats(try run1(Clip.self, [x, f32([0], [])], opset: 11)) == [0, 0, 0, 1, 3])
    #expect(floats(try run1(Clip.self, [x], opset: 12)) == [-3, -1, 0, 1, 3])
    // min > max: everything becomes max.
    #expect(floats(try run1(Clip.self, [x, f32([2], []), f32([1], [])], opset: 13)) == [1, 1, 1, 1, 1])
    #expect(floats(try run1(Clip.self, [f32([.nan]), f32([0], []), f32([1], [])]))[0].isNaN)
}

@Test func clipImportNormalizesBoundsToAttributes() throws {
    let x = f32([1, 2])
    let node = ImportedNode(attributes: Attributes(), opset: 13, inputs: [
        ImportedInput(type: x.type, constant: nil), nil, ImportedInput(type: TensorType(.float32, []), constant: f32([6], [])),
    ])
    let (op, inputs) = try Clip.importing(node)
    #expect(op == Clip(min: nil, max: 6))
    #expect(inputs == [0])
    // A bound known only at run time cannot become an attribute.
    let dynamic = ImportedNode(attributes: Attributes(), opset: 13, inputs: [
        ImportedInput(type: x.type, constant: nil), ImportedInput(type: TensorType(.float32, []), constant: nil),
    ])
    #expect(throws: KilnError.self) { try Clip.importing(dynamic) }
}

@Test func clipIntegers() throws {
    let x = i64([-5, 0, 7, 100])
    #expect(elements(try run1(Clip.self, [x, i64([0], []), i64([10], [])]), Int64.self) == [0, 0, 7, 10])
    let y = tensor([-5, 300] as [Int32], .int32)
    #expect(elements(try run1(Clip.self, [y, nil, tensor([255] as [Int32], .int32, [])]), Int32.self) == [-5, 255])
    // The bound must have the input's type and be a scalar.
    #expect(throws: KilnError.self) { try run1(Clip.self, [x, f32([0], [])]) }
    #expect(throws: KilnError.self) { try run1(Clip.self, [x, i64([0, 1])]) }
}

// MARK: - Broadcasting binary operators

@Test func broadcastingShapes() throws {
    // Rank mismatch: [2,3] + [3].
    let a = f32([0, 1, 2, 10, 11, 12], [2, 3])
    let sum = try run1(Add.self, [a, f32([100, 200, 300])])
    #expect(sum.shape == [2, 3] && floats(sum) == [100, 201, 302, 110, 211, 312])
    // Both sides broadcast: [2,1,3] − [4,1] → [2,4,3].
    let b = f32([1, 2, 3, 4], [4, 1])
    let diff = try run1(Sub.self, [f32([0, 10, 20, 30, 40, 50], [2, 1, 3]), b])
    #expect(diff.shape == [2, 4, 3])
    var expected: [Float] = []
    for i in 0..<2 { for j in 0..<4 { for k in 0..<3 { expected.append(Float(30 * i + 10 * k) - Float(j + 1)) } } }
    #expect(floats(diff) == expected)
    // Scalar on the left keeps operand order: 10 / x.
    #expect(floats(try run1(Div.self, [f32([10], []), f32([1, 2, 4])])) == [10, 5, 2.5])
    #expect(floats(try run1(Sub.self, [f32([1, 2, 4]), f32([1], [1])])) == [0, 1, 3])
    // Per-channel: [1,2,2,2] · [1,2,1,1].
    let channels = try run1(Mul.self, [ramp([1, 2, 2, 2], scale: 1, offset: 0), f32([1, -1], [1, 2, 1, 1])])
    #expect(floats(channels) == [0, 1, 2, 3, -4, -5, -6, -7])
    // Incompatible shapes are an error at shape inference.
    #expect(throws: KilnError.self) { try run1(Add.self, [a, f32([1, 2])]) }
    #expect(throws: KilnError.self) { try run1(Mul.self, [f32([1, 2, 3], [3, 1]), f32([1, 2], [2, 1])]) }
    // Mixed element types are an error.
    #expect(throws: KilnError.self) { try run1(Add.self, [a, i64([1])]) }
}

/// Every fast path and the general walk agree with index-by-index broadcasting over odd sizes.
@Test func broadcastMatchesNaiveIndexing() throws {
    let cases: [([Int], [Int])] = [
        ([3, 5, 7], [3, 5, 7]), ([3, 5, 7], [1]), ([1], [2, 3]), ([1, 3, 5, 7], [1, 3, 1, 1]), ([1, 3, 1, 1], [2, 3, 5, 7]),
        ([5, 1, 7], [1, 3, 1]), ([7], [3, 1]), ([3, 1, 5], [3, 4, 1]), ([2, 3, 4, 5], [3, 1, 5]), ([1, 1, 1], [1]),
        ([0, 3], [1, 3]), ([4, 1, 1, 6], [1, 5, 3, 1]),
    ]
    for (sa, sb) in cases {
        let a = ramp(sa, scale: 0.5, offset: -1), b = ramp(sb, scale: 0.25, offset: 2)
        let out = try Shapes.broadcast(sa, sb)
        let ia = Kernel.broadcastIndices(from: sa, to: out), ib = Kernel.broadcastIndices(from: sb, to: out)
        let expected = zip(ia, ib).map { floats(a)[$0] * floats(b)[$1] - floats(b)[$1] }
        let product = try run1(Mul.self, [a, b])
        let result = try run1(Sub.self, [product, b])
        #expect(result.shape == out, "\(sa) and \(sb)")
        #expect(floats(result) == expected, "\(sa) and \(sb)")
    }
}

@Test func integerArithmeticTruncatesAndWraps() throws {
    let q = try run1(Div.self, [i64([-7, 7, -7, 7, 0]), i64([2, -2, -2, 2, 5])])
    #expect(elements(q, Int64.self) == [-3, -3, 3, 3, 0])
    let q32 = try run1(Div.self, [tensor([-9, 9] as [Int32], .int32), tensor([4] as [Int32], .int32, [])])
    #expect(elements(q32, Int32.self) == [-2, 2])
    #expect(elements(try run1(Div.self, [i64([.min]), i64([-1])]), Int64.self) == [.min])
    #expect(elements(try run1(Add.self, [i64([.max]), i64([1])]), Int64.self) == [.min])
    #expect(elements(try run1(Sub.self, [i64([.min]), i64([1])]), Int64.self) == [.max])
    #expect(elements(try run1(Mul.self, [tensor([1 << 30] as [Int32], .int32), tensor([4] as [Int32], .int32)]), Int32.self) == [0])
    #expect(elements(try run1(Add.self, [tensor([250] as [UInt8], .uint8), tensor([10] as [UInt8], .uint8)]), UInt8.self) == [4])
    // Float division by zero is IEEE; integer division by zero is an error.
    #expect(floats(try run1(Div.self, [f32([1]), f32([0])])) == [.infinity])
    #expect(throws: KilnError.self) { try run1(Div.self, [i64([1, 2]), i64([1, 0])]) }
    #expect(throws: KilnError.self) { try run1(Div.self, [tensor([1] as [Int32], .int32), tensor([0] as [Int32], .int32, [])]) }
    // Bool arithmetic is rejected.
    #expect(throws: KilnError.self) { try run1(Add.self, [tensor([1] as [UInt8], .bool), tensor([1] as [UInt8], .bool)]) }
}

@Test func minMaxAreVariadic() throws {
    let a = f32([1, 5, 3]), b = f32([4, 2, 6]), c = f32([3.5], [1])
    #expect(floats(try run1(Max.self, [a, b, c])) == [4, 5, 6])
    #expect(floats(try run1(Min.self, [a, b, c])) == [1, 2, 3])
    #expect(floats(try run1(Min.self, [a])) == [1, 5, 3])
    // Broadcast across all inputs: [3] with [2,1] → [2,3].
    let m = try run1(Max.self, [a, f32([2, 4], [2, 1])])
    #expect(m.shape == [2, 3] && floats(m) == [2, 5, 3, 4, 5, 4])
    #expect(floats(try run1(Max.self, [f32([.nan, 1]), f32([1, .nan])])).allSatisfy(\.isNaN))
    #expect(floats(try run1(Min.self, [f32([1, .nan]), f32([.nan, 1])])).allSatisfy(\.isNaN))
    #expect(elements(try run1(Max.self, [i64([-3, 9]), i64([0], [])]), Int64.self) == [0, 9])
    #expect(throws: KilnError.self) { try run1(Max.self, []) }
}

@Test func powTypes() throws {
    #expect(close(floats(try run1(Pow.self, [f32([2, 4, 9]), f32([3, 0.5, -0.5])])), [8, 2, 1.0 / 3]))
    #expect(floats(try run1(Pow.self, [f32([2, 3]), i64([3, 2])])) == [8, 9])
    #expect(elements(try run1(Pow.self, [i64([2, 3, -2, 2, -1, 1]), i64([10, 2, 3, -1, -3, -5])]), Int64.self)
                == [1024, 9, -8, 0, -1, 1])
    #expect(elements(try run1(Pow.self, [i64([2, 9]), f32([0.5, 0.5])]), Int64.self) == [1, 3])
    #expect(elements(try run1(Pow.self, [tensor([3] as [Int32], .int32), tensor([4] as [Int32], .int32)]), Int32.self) == [81])
    // 2⁶⁴ wraps to 0 rather than trapping.
    #expect(elements(try run1(Pow.self, [i64([2]), i64([64])]), Int64.self) == [0])
    #expect(throws: KilnError.self) { try run1(Pow.self, [i64([0]), i64([-1])]) }
    #expect(throws: KilnError.self) { try run1(Pow.self, [tensor([1] as [UInt8], .uint8), i64([1])]) }
}

@Test func equalAndWhere() throws {
    let eq = try run1(Equal.self, [f32([1, .nan, 3], [3]), f32([1, .nan, 2])])
    #expect(eq.type == TensorType(.bool, [3]) && bools(eq) == [true, false, false])
    let eqb = try run1(Equal.self, [i64([1, 2, 3]), i64([2], [1, 1])])
    #expect(eqb.shape == [1, 3] && bools(eqb) == [false, true, false])
    #expect(throws: KilnError.self) { try run1(Equal.self, [i64([1]), f32([1])]) }

    // Where broadcasts condition [2,1], X [3] and Y [] to [2,3].
    let condition = tensor([1, 0] as [UInt8], .bool, [2, 1])
    let w = try run1(Where.self, [condition, f32([1, 2, 3]), f32([-1], [])])
    #expect(w.shape == [2, 3] && floats(w) == [1, 2, 3, -1, -1, -1])
    let wi = try run1(Where.self, [tensor([0, 1, 1] as [UInt8], .bool), i64([1, 2, 3]), i64([7, 8, 9])])
    #expect(elements(wi, Int64.self) == [7, 2, 3])
    #expect(throws: KilnError.self) { try run1(Where.self, [f32([1]), f32([1]), f32([1])]) }
    #expect(throws: KilnError.self) { try run1(Where.self, [condition, f32([1, 2, 3]), i64([1])]) }
    #expect(throws: KilnError.self) { try run1(Where.self, [condition, f32([1, 2, 3]), f32([1, 2])]) }
}

// MARK: - Cast

private func cast(_ x: Tensor, _ to: ElementType) throws -> Tensor {
    try run1(Cast.self, [x], ["to": .int(Int(to.onnxCode))])
}

@Test func castFloatToIntegerTruncatesAndSaturates() throws {
    let x = f32([-1.7, 1.7, 2.5, -0.5, .nan, 1e20, -1e20, .infinity, -.infinity])
    #expect(elements(try cast(x, .int32), Int32.self) == [-1, 1, 2, 0, 0, .max, .min, .max, .min])
    #expect(elements(try cast(x, .int64), Int64.self) == [-1, 1, 2, 0, 0, .max, .min, .max, .min])
    #expect(elements(try cast(f32([-3, 255.9, 300, 7]), .uint8), UInt8.self) == [0, 255, 255, 7])
    #expect(elements(try cast(f32([-200, 127.5]), .int8), Int8.self) == [-128, 127])
    #expect(elements(try cast(tensor([9.3e18, -9.3e18], .float64), .int64), Int64.self) == [.max, .min])
}

@Test func castBetweenIntegersBoolsAndFloats() throws {
    // Narrowing integers keep the low bits, as C does.
    #expect(elements(try cast(i64([(1 << 32) + 5, -1, 1 << 31]), .int32), Int32.self) == [5, -1, .min])
    #expect(elements(try cast(i64([256 + 3, -1]), .uint8), UInt8.self) == [3, 255])
    #expect(elements(try cast(tensor([200] as [UInt8], .uint8), .int8), Int8.self) == [-56])
    #expect(elements(try cast(tensor([-1] as [Int8], .int8), .int64), Int64.self) == [-1])
    // To bool: nonzero is true, NaN included.
    #expect(bools(try cast(f32([0, -0.0, 0.5, .nan]), .bool)) == [false, false, true, true])
    #expect(bools(try cast(i64([0, -3]), .bool)) == [false, true])
    let fromBool = try cast(tensor([1, 0] as [UInt8], .bool), .float32)
    #expect(fromBool.type == TensorType(.float32, [2]) && floats(fromBool) == [1, 0])
    #expect(elements(try cast(i64([1 << 24 + 1, -3]), .float64), Double.self) == [16_777_217, -3])
    #expect(elements(try cast(tensor([0.1], .float64), .float32), Float.self) == [0.1])
    #expect(elements(try cast(f32([0.1]), .float64), Double.self) == [Double(Float(0.1))])
    // Float16 targets are refused at import; a missing `to` too.
    #expect(throws: KilnError.self) { try run1(Cast.self, [f32([1])], ["to": .int(10)]) }
    #expect(throws: KilnError.self) { try run1(Cast.self, [f32([1])], ["to": .int(8)]) }
    #expect(throws: KilnError.self) { try run1(Cast.self, [f32([1])]) }
}

// MARK: - Dropout

@Test func dropoutIsIdentityWithAnAllTrueMask() throws {
    let x = ramp([2, 3])
    let withRatio = try run(Dropout.self, [x, f32([0.5], [])], opset: 13)
    #expect(floats(withRatio[0]) == floats(x))
    let outputs = try run(Dropout.self, [x, nil, tensor([0] as [UInt8], .bool, [])], opset: 22)
    #expect(outputs.count == 2 && floats(outputs[0]) == floats(x))
    #expect(outputs[1].type == TensorType(.bool, [2, 3]) && bools(outputs[1]) == Array(repeating: true, count: 6))
    // Opset 7–9: ratio is an attribute and the mask has the data type.
    let old = try run(Dropout.self, [x], ["ratio": .float(0.2)], opset: 9)
    #expect(old[1].type == x.type && floats(old[1]) == Array(repeating: 1, count: 6))
}

@Test func dropoutRejectsTrainingModeAndRuntimeInputs() throws {
    #expect(throws: KilnError.self) {
        try run(Dropout.self, [f32([1]), f32([0.5], []), tensor([1] as [UInt8], .bool, [])], opset: 13)
    }
    #expect(throws: KilnError.self) { try run(Dropout.self, [f32([1]), nil, tensor([1] as [UInt8], .bool, [])], opset: 13) }
    // Training with ratio 0 drops nothing, so it is still the identity.
    let zeroRatio = try run(Dropout.self, [f32([1, 2]), f32([0], []), tensor([1] as [UInt8], .bool, [])], opset: 13)
    #expect(floats(zeroRatio[0]) == [1, 2] && bools(zeroRatio[1]) == [true, true])
    let runtimeRatio = ImportedNode(attributes: Attributes(), opset: 13, inputs: [
        ImportedInput(type: TensorType(.float32, [1]), constant: nil), ImportedInput(type: TensorType(.float32, []), constant: nil),
    ])
    #expect(throws: KilnError.self) { try Dropout.importing(runtimeRatio) }
    #expect(throws: KilnError.self) { try run(Dropout.self, [f32([1]), f32([0.5], [])], opset: 9) }
}
