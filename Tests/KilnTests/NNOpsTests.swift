import Testing
import IR
import Reference

// Tests of the neural-network operators: import (every opset form into the canonical one), shape
// inference, errors on invalid nodes, and the reference kernels against hand-computed values
// (checked once with onnxruntime) on odd sizes. Conv is checked against a naive loop.

/// Imports `Op` from an ONNX-like node, infers its types and evaluates it. Every input is known at
/// import time except those in `runtime`.
private func run<Op: ReferenceKernel>(
    _: Op.Type, _ attributes: [String: AttributeValue] = [:], opset: Int = 17, _ inputs: [Tensor?],
    runtime: Set<Int> = [], outputCount: Int = 1
) throws -> Tensor {
    let op = try importOp(Op.self, attributes, opset: opset, inputs, runtime: runtime, outputCount: outputCount)
    let args = try op.inputs.map { i in try #require(inputs[i]) }
    let types = try op.op.inferTypes(args.map(\.type))
    return try Interpreter.evaluate(op.op, inputs: args, outputTypes: types)[0]
}

private func importOp<Op: Operator>(
    _: Op.Type, _ attributes: [String: AttributeValue] = [:], opset: Int = 17, _ inputs: [Tensor?],
    runtime: Set<Int> = [], outputCount: Int = 1
) throws -> (op: Op, inputs: [Int]) {
    let imported = inputs.enumerated().map { i, tensor in
        tensor.map { ImportedInput(type: $0.type, constant: runtime.contains(i) ? nil : $0) }
    }
    return try Op.importing(ImportedNode(attributes: Attributes(attributes), opset: opset, inputs: imported,
                                         outputCount: outputCount))
}

private func floats(_ shape: [Int], _ f: (Int) -> Float = { Float($0) }) -> Tensor {
    Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map(f))
}

private func expectValues(_ t: Tensor, _ shape: [Int], _ expected: [Float], tolerance: Float = 1e-5,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(t.shape == shape, sourceLocation: sourceLocation)
    guard t.shape == shape else { return }
    let got = Array(t.floats)
    for (i, (g, e)) in zip(got, expected).enumerated() where abs(g - e) > tolerance * max(1, abs(e)) {
        Issue.record("element \(i): got \(g), expected \(e)", sourceLocation: sourceLocation)
        return
    }
}

private func expectError(_ body: () throws -> Any, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(throws: KilnError.self, sourceLocation: sourceLocation) { _ = try body() }
}

// MARK: - BatchNormalization, GlobalAveragePool, ReduceMean

@Test func batchNormalizationInference() throws {
    let x = floats([2, 3, 2])
    let params = [[1, 2, 0.5], [0, 1, -1], [1, 0, 2], [3, 0, 8]].map { Tensor(shape: [3], floats: $0) }
    // √(var + 1) = 2, 1, 3 per channel.
    for opset in [9, 15] {
        let y = try run(BatchNormalization.self, ["epsilon": .float(1)], opset: opset, [x] + params)
        expectValues(y, [2, 3, 2], [-0.5, 0, 5, 7, -2 / 3, -0.5, 2.5, 3, 17, 19, 1 / 3, 0.5])
    }
    // Rank 2 (N, C): one value per channel.
    let y2 = try run(BatchNormalization.self, ["epsilon": .float(1)], [floats([1, 3]) { Float($0) + 1 }] + params)
    expectValues(y2, [1, 3], [0, 5, -5 / 6])
}

@Test func batchNormalizationRejectsTrainingAndBadShapes() {
    let params = (0..<4).map { _ in floats([3]) }
    expectError { try importOp(BatchNormalization.self, ["training_mode": .int(1)], opset: 15, [floats([1, 3, 2])] + params) }
    expectError { try importOp(BatchNormalization.self, opset: 9, [floats([1, 3, 2])] + params, outputCount: 5) }
    expectError { try BatchNormalization().inferTypes([TensorType(.float32, [1, 4, 2])] + params.map(\.type)) }
    expectError { try BatchNormalization().inferTypes([TensorType(.float32, [3])] + params.map(\.type)) }
}

@Test func globalAveragePoolKeepsSpatialDims() throws {
    let y = try run(GlobalAveragePool.self, [:], [floats([2, 1, 3, 5])])
    expectValues(y, [2, 1, 1, 1], [7, 22])
    let y3 = try run(GlobalAveragePool.self, [:], [floats([1, 3, 3])])
    expectValues(y3, [1, 3, 1], [1, 4, 7])
    expectError { try GlobalAveragePool().inferTypes([TensorType(.float32, [2, 3])]) }
}

@Test func reduceMeanAxesAttributeAndInput() throws {
    let x = floats([2, 3, 4])  // 0...23
    // Before opset 18: attribute.
    let a = try run(ReduceMean.self, ["axes": .ints([1])], opset: 13, [x])
    expectValues(a, [2, 1, 4], [4, 5, 6, 7, 16, 17, 18, 19])
    // From opset 18: constant input; negative axis; keepdims = 0.
    let b = try run(ReduceMean.self, ["keepdims": .int(0)], opset: 18, [x, Tensor(shape: [1], int64s: [-1])])
    expectValues(b, [2, 3], [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
    // Both forms import to the same canonical operator.
    let fromAttribute = try importOp(ReduceMean.self, ["axes": .ints([0, -1])], opset: 11, [x]).op
    let fromInput = try importOp(ReduceMean.self, opset: 18, [x, Tensor(shape: [2], int64s: [2, 0])])
    #expect(fromAttribute == ReduceMean(axes: [0, 2]) && fromInput.op == fromAttribute && fromInput.inputs == [0])
    // No axes: all axes; with noop_with_empty_axes, identity.
    expectValues(try run(ReduceMean.self, opset: 13, [x]), [1, 1, 1], [11.5])
    expectValues(try run(ReduceMean.self, ["keepdims": .int(0)], opset: 18, [x, nil]), [], [11.5])
    expectValues(try run(ReduceMean.self, ["noop_with_empty_axes": .int(1)], opset: 18, [x]), [2, 3, 4], (0..<24).map(Float.init))
}

@Test func reduceMeanRejectsInvalidAxes() {
    let x = floats([2, 3])
    expectError { try importOp(ReduceMean.self, ["axes": .ints([2])], opset: 13, [x]) }
    expectError { try importOp(ReduceMean.self, ["axes": .ints([1, -1])], opset: 13, [x]) }
    expectError { try importOp(ReduceMean.self, opset: 18, [x, Tensor(shape: [1], int64s: [0])], runtime: [1]) }
    expectError { try importOp(ReduceMean.self, opset: 13, [x, Tensor(shape: [1], int64s: [0])]) }
    expectError { try importOp(ReduceMean.self, ["axes": .ints([0])], opset: 18, [x]) }
    expectError { try ReduceMean(axes: [2]).inferTypes([x.type]) }
}

// MARK: - Pools

@Test func averagePoolPadsAndCountIncludePad() throws {
    let x = floats([1, 1, 5, 7]) { Float($0 + 1) }
    let attributes: [String: AttributeValue] = ["kernel_shape": .ints([3, 2]), "strides": .ints([2, 2]), "pads": .ints([1, 0, 1, 1])]
    expectValues(try run(AveragePool.self, attributes, [x]), [1, 1, 3, 4],
                 [5, 7, 9, 10.5, 15.5, 17.5, 19.5, 21, 26, 28, 30, 31.5])
    var including = attributes
    including["count_include_pad"] = .int(1)
    expectValues(try run(AveragePool.self, including, [x]), [1, 1, 3, 4],
                 [10 / 3, 14 / 3, 6, 3.5, 15.5, 17.5, 19.5, 10.5, 52 / 3, 56 / 3, 20, 10.5])
}

@Test func averagePoolCeilModeAndDilations() throws {
    let x = floats([1, 1, 5, 7]) { Float($0 + 1) }
    let ceil = try run(AveragePool.self, ["kernel_shape": .ints([2, 3]), "strides": .ints([2, 3]), "ceil_mode": .int(1)], [x])
    expectValues(ceil, [1, 1, 3, 3], [5.5, 8.5, 10.5, 19.5, 22.5, 24.5, 30, 33, 35])
    let dilated = try run(AveragePool.self, ["kernel_shape": .ints([2, 2]), "dilations": .ints([2, 3])], opset: 19, [x])
    expectValues(dilated, [1, 1, 3, 4], [9.5, 10.5, 11.5, 12.5, 16.5, 17.5, 18.5, 19.5, 23.5, 24.5, 25.5, 26.5])
    // The last ceil-mode window would start in the end padding: dropped (ONNX's rule).
    let dropped = try importOp(MaxPool.self, ["kernel_shape": .ints([1, 1]), "strides": .ints([2, 2]), "ceil_mode": .int(1)], [floats([1, 1, 2, 2])])
    #expect(try dropped.op.inferTypes([TensorType(.float32, [1, 1, 2, 2])]) == [TensorType(.float32, [1, 1, 1, 1])])
}

@Test func maxPoolPadsAutoPadAndCeil() throws {
    let x = floats([1, 1, 5, 7]) { Float($0 + 1) }
    let padded = try run(MaxPool.self, ["kernel_shape": .ints([3, 2]), "strides": .ints([2, 2]), "pads": .ints([1, 0, 1, 1])],
                         [floats([1, 1, 5, 7]) { -Float($0 + 1) }])
    // Padding never wins even where every input is negative.
    expectValues(padded, [1, 1, 3, 4], [-1, -3, -5, -7, -8, -10, -12, -14, -22, -24, -26, -28])
    let same = ["kernel_shape": AttributeValue.ints([3, 2]), "strides": .ints([2, 2]), "auto_pad": .string("SAME_LOWER")]
    #expect(try importOp(MaxPool.self, same, [x]).op.window.pads == [1, 1, 1, 0])
    expectValues(try run(MaxPool.self, same, [x]), [1, 1, 3, 4], [8, 10, 12, 14, 22, 24, 26, 28, 29, 31, 33, 35])
    var upper = same
    upper["auto_pad"] = .string("SAME_UPPER")
    #expect(try importOp(MaxPool.self, upper, [x]).op.window.pads == [1, 0, 1, 1])
    let dilatedCeil = try run(MaxPool.self, ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "dilations": .ints([2, 2]),
                                             "ceil_mode": .int(1), "storage_order": .int(1)], [x])
    expectValues(dilatedCeil, [1, 1, 2, 3], [17, 19, 21, 31, 33, 35])
}

@Test func poolsRejectInvalidNodes() {
    let x = floats([1, 1, 5, 7])
    let k: [String: AttributeValue] = ["kernel_shape": .ints([2, 2])]
    expectError { try importOp(MaxPool.self, k, [x], outputCount: 2) }                  // Indices output
    expectError { try importOp(MaxPool.self, [:], [x]) }                                // no kernel_shape
    expectError { try importOp(AveragePool.self, k, [floats([1, 1, 5])]) }             // 1-D
    expectError { try importOp(AveragePool.self, ["kernel_shape": .ints([2, 0])], [x]) }
    expectError { try importOp(AveragePool.self, ["kernel_shape": .ints([2, 2]), "strides": .ints([-1, 1])], [x]) }
    expectError { try importOp(AveragePool.self, ["kernel_shape": .ints([2, 2]), "auto_pad": .string("SAME")], [x]) }
    expectError { try importOp(AveragePool.self, ["kernel_shape": .ints([2, 2]), "pads": .ints([1, 1])], [x]) }
    expectError { try MaxPool(window: PoolWindow(kernel: [6, 2])).inferTypes([x.type]) }   // window larger than input
    expectError { try MaxPool(window: PoolWindow(kernel: [2, 2], pads: [2, 0, 0, 0])).inferTypes([x.type]) }
}

// MARK: - Gemm, MatMul, Softmax

@Test func gemmAlphaBetaTransposesAndBroadcastC() throws {
    let a = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
    let b = floats([3, 4]) { Float($0 - 5) }
    let y = try run(Gemm.self, ["alpha": .float(0.5), "beta": .float(2)], [a, b, Tensor(shape: [4], floats: [1, -1, 2, 0.5])])
    expectValues(y, [2, 4], [3, 2, 11, 11, -1.5, 2, 15.5, 20])
    let at = Tensor(shape: [3, 2], floats: [1, 4, 2, 5, 3, 6])
    let bt = Tensor(shape: [4, 3], floats: [-5, -1, 3, -4, 0, 4, -3, 1, 5, -2, 2, 6])
    let yt = try run(Gemm.self, ["transA": .int(1), "transB": .int(1)], [at, bt, Tensor(shape: [2, 1], floats: [10, 20])])
    expectValues(yt, [2, 4], [12, 18, 24, 30, 13, 28, 43, 58])
    let noC = try run(Gemm.self, opset: 9, [a, b])
    expectValues(noC, [2, 4], [2, 8, 14, 20, -7, 8, 23, 38])
    let gemm = Gemm()
    #expect(gemm.macs(inputs: [a.type, b.type], outputs: [TensorType(.float32, [2, 4])]) == 2 * 4 * 3)
    expectError { try gemm.inferTypes([a.type, a.type]) }
    expectError { try gemm.inferTypes([a.type, b.type, TensorType(.float32, [3])]) }
    expectError { try gemm.inferTypes([a.type, b.type, TensorType(.float32, [1, 2, 4])]) }
}

@Test func matMulPromotesVectorsAndBroadcastsBatches() throws {
    let v = Tensor(shape: [3], floats: [1, 2, 3])
    expectValues(try run(MatMul.self, [:], [v, Tensor(shape: [3], floats: [4, -1, 2])]), [], [8])
    expectValues(try run(MatMul.self, [:], [v, floats([2, 3, 2])]), [2, 2], [16, 22, 52, 58])
    let b3 = floats([3, 3, 2]) { Float($0 % 5) }
    let bt = floats([3, 2, 3]) { i in Float(((i / 6) * 6 + (i % 3) * 2 + (i / 3) % 2) % 5) }  // b3 with the last two axes swapped
    expectValues(try run(MatMul.self, [:], [bt, v]), [3, 2], [16, 7, 7, 13, 13, 9])
    let batched = try run(MatMul.self, [:], [floats([2, 1, 2, 3]) { Float($0 - 3) }, b3])
    expectValues(batched, [2, 3, 2, 2], [-8, -9, 10, 3, -9, -15, 3, 6, -15, -11, 6, 4,
                                        28, 15, 46, 27, 15, 27, 27, 48, 27, 19, 48, 34])
    let types = [TensorType(.float32, [2, 1, 2, 3]), b3.type]
    #expect(MatMul().macs(inputs: types, outputs: try MatMul().inferTypes(types)) == 2 * 3 * 2 * 2 * 3)
    expectError { try MatMul().inferTypes([TensorType(.float32, [2, 3]), TensorType(.float32, [2, 3])]) }
    expectError { try MatMul().inferTypes([TensorType(.float32, [2, 2, 3]), TensorType(.float32, [3, 3, 1])]) }
    expectError { try MatMul().inferTypes([TensorType(.float32, []), TensorType(.float32, [3])]) }
}

@Test func softmaxAxisSemanticsBeforeAndAfterOpset13() throws {
    let x = Tensor(shape: [2, 3, 2], floats: [0, 1, 2, 3, 4, -1, 1, 1, 1, 1, 0, 0])
    let flattened: [Float] = [0.0116065, 0.0315496, 0.0857608, 0.233122, 0.633691, 0.00426978,
                              0.211159, 0.211159, 0.211159, 0.211159, 0.0776812, 0.0776812]
    // Opset 11: X coerced to [2, 6] at axis 1 (also the default axis).
    expectValues(try run(Softmax.self, ["axis": .int(1)], opset: 11, [x]), [2, 3, 2], flattened)
    expectValues(try run(Softmax.self, opset: 11, [x]), [2, 3, 2], flattened)
    #expect(try importOp(Softmax.self, opset: 11, [x]).op == Softmax(axes: [1, 2]))
    // Opset 13: along axis 1 only; the default is the last axis.
    expectValues(try run(Softmax.self, ["axis": .int(1)], opset: 13, [x]), [2, 3, 2],
                 [0.0158762, 0.11731, 0.11731, 0.866813, 0.866813, 0.0158762, 0.422319, 0.422319, 0.422319, 0.422319, 0.155362, 0.155362])
    expectValues(try run(Softmax.self, opset: 13, [x]), [2, 3, 2],
                 [0.268941, 0.731059, 0.268941, 0.731059, 0.993307, 0.00669285, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    // Opset 11 at the last axis is the opset 13 form.
    #expect(try importOp(Softmax.self, ["axis": .int(-1)], opset: 11, [x]).op == Softmax(axes: [2]))
    // Large inputs stay finite.
    expectValues(try run(Softmax.self, opset: 13, [Tensor(shape: [3], floats: [1000, 1001, 1002])]), [3], [0.0900306, 0.244728, 0.665241])
    expectError { try importOp(Softmax.self, ["axis": .int(3)], opset: 13, [x]) }
    expectError { try importOp(Softmax.self, ["axis": .int(-4)], opset: 11, [x]) }
    expectError { try Softmax(axes: [0, 2]).inferTypes([x.type]) }
}

// MARK: - Conv against a naive loop

/// The definition, one output element at a time.
private func naiveConv(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ conv: Conv, _ out: TensorType) -> [Float] {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (m, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let (oh, ow) = (out.shape[2], out.shape[3])
    var y = [Float](repeating: 0, count: out.elementCount)
    for b in 0..<n { for oc in 0..<m { for oy in 0..<oh { for ox in 0..<ow {
        let g = oc / (m / conv.group)
        var sum: Float = 0
        for ic in 0..<cg { for ky in 0..<kh { for kx in 0..<kw {
            let iy = oy * conv.strides[0] + ky * conv.dilations[0] - conv.pads[0]
            let ix = ox * conv.strides[1] + kx * conv.dilations[1] - conv.pads[1]
            guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
            sum += x.floats[((b * c + g * cg + ic) * h + iy) * wd + ix] * w.floats[((oc * cg + ic) * kh + ky) * kw + kx]
        } } }
        y[((b * m + oc) * oh + oy) * ow + ox] = (bias?.floats[oc] ?? 0) + sum
    } } } }
    return y
}

@Test(arguments: [
    // (x shape, w shape, attributes)
    ([2, 4, 7, 9], [6, 2, 3, 3], ["group": AttributeValue.int(2), "pads": .ints([1, 1, 1, 1])]),           // groups
    ([1, 3, 7, 9], [3, 1, 5, 5], ["group": .int(3), "pads": .ints([2, 2, 2, 2])]),                          // depthwise
    ([1, 3, 9, 7], [6, 1, 3, 3], ["group": .int(3), "strides": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")]),
    ([1, 3, 8, 11], [5, 3, 3, 2], ["strides": .ints([2, 3]), "pads": .ints([1, 0, 2, 1])]),                // stride, asymmetric pads
    ([1, 2, 9, 10], [3, 2, 3, 3], ["dilations": .ints([2, 3]), "pads": .ints([2, 0, 1, 3])]),              // dilation
    ([1, 5, 7, 3], [4, 5, 1, 1], [:]),                                                                       // pointwise
    ([1, 5, 7, 3], [4, 5, 1, 1], ["strides": .ints([2, 1])]),                                                // strided 1×1
    ([1, 1, 3, 3], [2, 1, 5, 5], ["pads": .ints([3, 1, 0, 4])]),                                             // kernel wider than input
] as [([Int], [Int], [String: AttributeValue])])
func convMatchesNaiveLoop(xShape: [Int], wShape: [Int], attributes: [String: AttributeValue]) throws {
    let x = floats(xShape) { Float(($0 * 7919) % 23) / 11 - 1 }
    let w = floats(wShape) { Float(($0 * 104729) % 19) / 9 - 1 }
    for bias in [nil, floats([wShape[0]]) { Float($0) * 0.25 - 0.5 }] {
        let (conv, keep) = try importOp(Conv.self, attributes, [x, w] + (bias.map { [$0] } ?? []))
        #expect(keep.count == (bias == nil ? 2 : 3))
        let out = try conv.inferTypes([x.type, w.type] + (bias.map { [$0.type] } ?? []))[0]
        let y = try Interpreter.evaluate(conv, inputs: [x, w] + (bias.map { [$0] } ?? []), outputTypes: [out])[0]
        expectValues(y, out.shape, naiveConv(x, w, bias, conv, out))
    }
}

@Test func convRejectsInvalidNodes() {
    let x = floats([1, 4, 5, 5]), w = floats([4, 2, 3, 3])
    expectError { try Conv(group: 3).inferTypes([x.type, w.type]) }
    expectError { try Conv().inferTypes([x.type, w.type]) }                                         // 2 channels per group, 4 given
    expectError { try importOp(Conv.self, ["group": .int(2), "strides": .ints([0, 1])], [x, w]) }
    expectError { try importOp(Conv.self, ["group": .int(2), "kernel_shape": .ints([2, 2])], [x, w]) }
    expectError { try Conv(pads: [1, 1]).inferTypes([x.type, floats([4, 4, 3, 3]).type]) }
    expectError { try Conv(group: 2).inferTypes([x.type, w.type, TensorType(.int64, [4])]) }
    expectError { try Conv().inferTypes([x.type, floats([4, 4, 7, 3]).type]) }
}
