import Foundation
import Frontend
import IR
import Reference
import Testing

/// ONNX's own operator conformance suite (`../shared/onnx-node-tests`), run through the importer and
/// the reference interpreter.
///
/// Every case whose operators Kiln supports is executed; `Tests/conformance-expected.txt` records the
/// outcome each one is expected to have (`pass NAME`, or `fail NAME  reason`), so a regression — or a
/// supported case nobody looked at — fails the build. Cases using an operator Kiln does not support
/// are skipped. After a deliberate change, regenerate the list (reasons of failures are kept):
///
///     KILN_UPDATE_CONFORMANCE=1 swift test -c release --filter Conformance
///
/// Kiln compiles static graphs, so inputs it needs at compile time are bound as constants: integer
/// and bool inputs (shapes, axes, indices) always; if the case still cannot import because an input
/// must be known at compile time (Clip's bounds, for example), every input but the first is bound.
@Suite struct ConformanceTests {
    static let expectedFile = SharedData.packageRoot.appendingPathComponent("Tests/conformance-expected.txt")

    enum Outcome: Equatable {
        case pass
        case fail(String)
        case unsupported(String)
    }

    @Test func conformanceSuiteMatchesExpectations() throws {
        guard let shared = SharedData.available("conformance suite") else { return }
        let suite = shared.appendingPathComponent("onnx-node-tests")
        let cases = try FileManager.default.contentsOfDirectory(atPath: suite.path).sorted()
        let expected = try Self.readExpected()
        var outcomes: [String: Outcome] = [:]
        for name in cases {
            outcomes[name] = Self.run(suite.appendingPathComponent(name))
        }

        let executed = outcomes.filter { if case .unsupported = $0.value { false } else { true } }
        let passed = executed.filter { $0.value == .pass }.count
        print("conformance: \(passed) passed, \(executed.count - passed) failed, \(outcomes.count - executed.count) skipped (unsupported operators)")

        if ProcessInfo.processInfo.environment["KILN_UPDATE_CONFORMANCE"] == "1" {
            try Self.writeExpected(executed, previous: expected)
            print("conformance: rewrote \(Self.expectedFile.path)")
            return
        }
        for (name, outcome) in executed.sorted(by: { $0.key < $1.key }) {
            switch (outcome, expected[name]) {
            case (.pass, .pass?), (.fail, .fail?): break
            case (.pass, .fail?):
                Issue.record("\(name) now passes but is listed as failing: update Tests/conformance-expected.txt")
            case (.fail(let reason), .pass?):
                Issue.record("\(name) regressed: \(reason)")
            case (_, nil):
                Issue.record("\(name) is supported but not listed in Tests/conformance-expected.txt (outcome: \(outcome))")
            default: break
            }
        }
        for (name, outcome) in expected where executed[name] == nil {
            Issue.record("\(name) is listed as \(outcome) but was not executed (\(outcomes[name].map { "\($0)" } ?? "no such case"))")
        }
    }

    /// Imports, runs and compares one case.
    static func run(_ dir: URL) -> Outcome {
        let modelPath = dir.appendingPathComponent("model.onnx").path
        do {
            let outline = try ONNXImporter.outline(path: modelPath)
            if !outline.unsupportedOperators.isEmpty {
                return .unsupported(outline.unsupportedOperators.joined(separator: ", "))
            }
            guard let dataSet = SharedData.dataSets(dir).first else { return .fail("no test data") }
            let inputs = try SharedData.tensors(dataSet, prefix: "input")
            let expected = try SharedData.tensors(dataSet, prefix: "output")
            let (result, runtime) = try importCase(modelPath, dataSet: dataSet)
            let outputs = try Interpreter(graph: result.graph).run(runtime.map { inputs[$0] })
            guard outputs.count >= expected.count else { return .fail("\(outputs.count) outputs, expected \(expected.count)") }
            for (i, (y, ref)) in zip(outputs, expected).enumerated() {
                if let problem = mismatch(y, ref) { return .fail("output \(i): \(problem)") }
            }
            return .pass
        } catch let error as KilnError {
            if error.message.contains("unsupported operator") { return .unsupported(error.message) }
            return .fail(error.message)
        } catch {
            return .fail("\(error)")
        }
    }

    /// Imports a case with its compile-time inputs bound: integer and bool inputs (or, with
    /// `runtimeFirst`, none when the case imports without), and every input but the first when the
    /// case cannot import otherwise. Returns the indices of the inputs left to feed at run time.
    static func importCase(_ modelPath: String, dataSet: URL, runtimeFirst: Bool = false) throws -> (ImportResult, runtimeInputs: [Int]) {
        let declared = try ONNXImporter.outline(path: modelPath).inputs
        let inputs = try SharedData.tensors(dataSet, prefix: "input")
        guard inputs.count == declared.count else { throw KilnError("\(declared.count) inputs declared, \(inputs.count) given") }
        let isFloat: (Int) -> Bool = { $0 == 1 || $0 == 10 || $0 == 11 || $0 == 16 }
        var bindings = [Set(declared.indices.filter { !isFloat(declared[$0].onnxType) }), Set(declared.indices.dropFirst())]
        if runtimeFirst { bindings.insert([], at: 0) }
        for (attempt, bound) in bindings.enumerated() {
            do {
                return (try importBinding(modelPath, declared, inputs, bound), declared.indices.filter { !bound.contains($0) })
            } catch let error as KilnError where error.message.contains("known at compile time") && attempt + 1 < bindings.count {
                continue
            }
        }
        throw KilnError("no binding of the inputs imports")
    }

    private static func importBinding(_ path: String, _ declared: [(name: String, onnxType: Int)], _ inputs: [Tensor], _ bound: Set<Int>) throws -> ImportResult {
        var constants: [String: Tensor] = [:]
        for i in bound { constants[declared[i].name] = inputs[i] }
        return try ONNXImporter.load(path: path, options: ImportOptions(constantInputs: constants))
    }

    /// Nil when `y` matches `ref` like ONNX's backend tests ask: same type, and values within
    /// |y − ref| ≤ 1e-5 + 1e-3·|ref| (exact for integers and bools, NaN where the reference has NaN).
    static func mismatch(_ y: Tensor, _ ref: Tensor) -> String? {
        guard y.type == ref.type else { return "type \(y.type), expected \(ref.type)" }
        for (i, (a, b)) in zip(y.doubles(), ref.doubles()).enumerated() {
            if a.isNaN && b.isNaN { continue }
            if a == b { continue }
            if !ref.elementType.isFloatingPoint || abs(a - b) > 1e-5 + 1e-3 * abs(b) || a.isNaN || b.isNaN {
                return "element \(i) is \(a), expected \(b)"
            }
        }
        return nil
    }

    // MARK: - The expectations file

    static func readExpected() throws -> [String: Outcome] {
        guard let text = try? String(contentsOf: expectedFile, encoding: .utf8) else { return [:] }
        var result: [String: Outcome] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count >= 2 else { continue }
            let reason = parts.count > 2 ? String(parts[2]).trimmingCharacters(in: .whitespaces) : ""
            result[String(parts[1])] = parts[0] == "pass" ? .pass : .fail(reason)
        }
        return result
    }

    static func writeExpected(_ outcomes: [String: Outcome], previous: [String: Outcome]) throws {
        var text = """
        # Expected outcome of every ONNX conformance case whose operators Kiln supports.
        # `pass NAME` or `fail NAME  reason`. Checked by ConformanceTests; regenerate with
        #   KILN_UPDATE_CONFORMANCE=1 swift test -c release --filter Conformance
        # (a hand-written reason of a failure is kept when the failure stays).

        """
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            switch outcome {
            case .pass: text += "pass \(name)\n"
            case .fail(let reason):
                var kept = reason
                if case .fail(let old)? = previous[name], !old.isEmpty { kept = old }
                text += "fail \(name)  \(kept.replacingOccurrences(of: "\n", with: " "))\n"
            case .unsupported: break
            }
        }
        try text.write(to: expectedFile, atomically: true, encoding: .utf8)
    }
}
