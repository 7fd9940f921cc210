import Codegen
import Foundation
import Frontend
import IR
import Optimizer
import Testing

/// ONNX's operator conformance suite through the compiler: every case that passes in the reference
/// interpreter (`pass` in `Tests/conformance-expected.txt`) is imported with as many inputs left to
/// run time as Kiln accepts (integer indices and operands too, unlike the interpreter's run, which
/// binds them; inputs needed at compile time are bound as there), optimized, compiled with `kiln compile`'s pipeline for the native target,
/// and its program run on the case's remaining inputs (`-o` once per output); each output must
/// match the expected one as ONNX's backend tests ask (`ConformanceTests.mismatch`). The cases that
/// do not pass compiled are listed, with a reason, in `Tests/conformance-compiled-expected.txt`.
///
/// The default run compiles a handful of cases (about 2 s each); `KILN_CONFORMANCE_COMPILED=all`
/// runs them all (`scripts/conformance-compiled.sh`), `KILN_CONFORMANCE_COMPILED=test_a,test_b`
/// the cases named. With `=all` and `KILN_UPDATE_CONFORMANCE=1` it rewrites the list of failures
/// (hand-written reasons of failures that stay are kept).
@Suite(.serialized) struct CompiledConformanceTests {
    static let expectedFile = SharedData.packageRoot.appendingPathComponent("Tests/conformance-compiled-expected.txt")

    /// The default subset: broadcasting arithmetic, data movement of several element types,
    /// several inputs and outputs, and NN layers on the generic kernels.
    static let fastSubset = [
        "test_add_bcast", "test_transpose_all_permutations_4", "test_slice_neg_steps", "test_reflect_pad",
        "test_gather_1", "test_where_long_example", "test_matmul_3d", "test_cast_FLOAT_to_INT32",
    ]

    @Test func compiledCasesMatchExpectations() throws {
        guard let shared = SharedData.available("compiled conformance") else { return }
        let suite = shared.appendingPathComponent("onnx-node-tests")
        let interpreted = try ConformanceTests.readExpected().filter { $0.value == .pass }.map(\.key).sorted()
        let chosen = ProcessInfo.processInfo.environment["KILN_CONFORMANCE_COMPILED"] ?? ""
        let all = chosen == "all"
        let listed = chosen.split(separator: ",").map(String.init)
        let names = all ? interpreted : (listed.isEmpty ? Self.fastSubset : listed).filter(interpreted.contains)
        let expected = Self.readFailures()
        let start = Date()
        var failures: [String: String] = [:]
        for name in names {
            if let reason = Self.run(suite.appendingPathComponent(name)) { failures[name] = reason }
        }
        print("compiled conformance: \(names.count - failures.count) passed, \(failures.count) failed of \(names.count) cases "
              + "(\(interpreted.count) pass in the interpreter) in \(String(format: "%.0f", Date().timeIntervalSince(start))) s")
        if all && ProcessInfo.processInfo.environment["KILN_UPDATE_CONFORMANCE"] == "1" {
            try Self.writeFailures(failures, previous: expected)
            print("compiled conformance: rewrote \(Self.expectedFile.path)")
            return
        }
        for name in names {
            switch (failures[name], expected[name]) {
            case (nil, nil), (.some, .some): break
            case (nil, .some): Issue.record("\(name) now passes compiled: remove it from \(Self.expectedFile.lastPathComponent)")
            case (.some(let reason), nil): Issue.record("\(name) fails compiled: \(reason)")
            }
        }
        for name in expected.keys where !interpreted.contains(name) {
            Issue.record("\(name) is listed in \(Self.expectedFile.lastPathComponent) but does not pass in the interpreter")
        }
    }

    /// Compiles and runs one case; nil when every output matches, else why not.
    static func run(_ dir: URL) -> String? {
        let modelPath = dir.appendingPathComponent("model.onnx").path
        do {
            guard let dataSet = SharedData.dataSets(dir).first else { return "no test data" }
            let (imported, runtimeInputs) = try ConformanceTests.importCase(modelPath, dataSet: dataSet, runtimeFirst: true)
            var graph = imported.graph
            try Pipeline.run(Pipeline.standard(isa: Codegen.Target.native.isa), on: &graph)
            let work = try TemporaryFolder.make()
            defer { try? FileManager.default.removeItem(at: work) }
            var options = CompileOptions()
            options.target = .native
            let binary = work.appendingPathComponent("model").path
            _ = try Compiler.compile(graph, output: binary, options: options)

            let expected = try SharedData.tensors(dataSet, prefix: "output")
            let outputs = expected.indices.map { work.appendingPathComponent("out\($0).npy").path }
            let arguments = runtimeInputs.map { dataSet.appendingPathComponent("input_\($0).pb").path } + outputs.flatMap { ["-o", $0] }
            let run = try runProgram(binary, arguments)
            guard run.status == 0 else { return "the program exited \(run.status): \(run.stderr)" }
            for (index, (path, ref)) in zip(outputs, expected).enumerated() {
                let y = try readTypedNpy(path)
                if let problem = ConformanceTests.mismatch(y, ref) { return "output \(index): \(problem)" }
            }
            return nil
        } catch let error as KilnError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    // MARK: - The list of failures

    static func readFailures() -> [String: String] {
        guard let text = try? String(contentsOf: expectedFile, encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("fail ") {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count >= 2 else { continue }
            result[String(parts[1])] = parts.count > 2 ? String(parts[2]).trimmingCharacters(in: .whitespaces) : ""
        }
        return result
    }

    static func writeFailures(_ failures: [String: String], previous: [String: String]) throws {
        var text = """
        # ONNX conformance cases that pass in the interpreter but not through `kiln compile` and the program,
        # one `fail NAME  reason` a line; every other case that passes in the interpreter passes compiled.
        # Checked by CompiledConformanceTests; regenerate with
        #   KILN_CONFORMANCE_COMPILED=all KILN_UPDATE_CONFORMANCE=1 swift test -c release --filter CompiledConformance
        # (a hand-written reason of a failure is kept when the failure stays).

        """
        for (name, reason) in failures.sorted(by: { $0.key < $1.key }) {
            let kept = previous[name].map { $0.isEmpty ? reason : $0 } ?? reason
            text += "fail \(name)  \(kept.replacingOccurrences(of: "\n", with: " ").prefix(300))\n"
        }
        try text.write(to: expectedFile, atomically: true, encoding: .utf8)
    }
}

/// A .npy file of any element type Kiln has, as a tensor (the programs write their outputs so).
func readTypedNpy(_ path: String) throws -> Tensor {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard data.count >= 10, data.prefix(6) == Data([0x93]) + Data("NUMPY".utf8) else { throw KilnError("\(path): not a .npy file") }
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    guard data.count >= 10 + headerLength else { throw KilnError("\(path): truncated header") }
    let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
    let types: [String: ElementType] = ["<f4": .float32, "<f8": .float64, "<i8": .int64, "<i4": .int32, "|i1": .int8,
                                        "|u1": .uint8, "|b1": .bool]
    guard let descr = types.first(where: { header.contains("'\($0.key)'") })?.value,
          let open = header.range(of: "'shape': ("), let close = header.range(of: ")", range: open.upperBound..<header.endIndex)
    else { throw KilnError("\(path): unexpected header \(header)") }
    let shape = header[open.upperBound..<close.lowerBound].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let type = TensorType(descr, shape)
    let body = data.dropFirst(10 + headerLength)
    guard body.count == type.byteCount else { throw KilnError("\(path): \(body.count) data bytes for \(type)") }
    let tensor = Tensor(zeros: type)
    body.withUnsafeBytes { raw in
        if let base = raw.baseAddress, let dst = tensor.storage.mutableBytes.baseAddress { dst.copyMemory(from: base, byteCount: raw.count) }
    }
    return tensor
}
