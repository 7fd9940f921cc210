import Foundation
import IR
import Optimizer
import Reference
import Testing

/// Golden IR tests of the optimizer passes. Each `Tests/Golden/<pass>/<case>.kir` is a graph in the IR
/// text format whose first line names the passes to run (`# passes: fold-batchnorm`); the result,
/// printed, must equal `<case>.expected.kir` beside it. Negative cases (`dont_…`) expect the graph
/// unchanged. After a deliberate change to a pass, regenerate the expectations and review the diff:
///
///     KILN_UPDATE_GOLDEN=1 swift test --filter Golden
@Suite struct GoldenTests {
    static let root = SharedData.packageRoot.appendingPathComponent("Tests/Golden")

    static var cases: [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var result: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".kir"), !path.hasSuffix(".expected.kir") { result.append(path) }
        }
        return result.sorted()
    }

    @Test(arguments: cases)
    func golden(_ path: String) throws {
        let file = Self.root.appendingPathComponent(path)
        let text = try String(contentsOf: file, encoding: .utf8)
        guard let header = text.split(separator: "\n").first, header.hasPrefix("# passes:") else {
            Issue.record("\(path) must start with '# passes: name,…'")
            return
        }
        let names = header.dropFirst("# passes:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let passes = try names.map { name -> any Pass in
            guard let pass = Pipeline.pass(named: name) else { throw KilnError("unknown pass '\(name)'") }
            return pass
        }
        var graph = try IRParser.parse(text)
        try Pipeline.run(passes, on: &graph, options: .init(verifyEach: true))
        let actual = IRPrinter().print(graph)
        let expectedFile = file.deletingPathExtension().appendingPathExtension("expected.kir")
        if ProcessInfo.processInfo.environment["KILN_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: expectedFile, atomically: true, encoding: .utf8)
            return
        }
        let expected = (try? String(contentsOf: expectedFile, encoding: .utf8)) ?? "(missing \(expectedFile.lastPathComponent))"
        #expect(actual == expected, "\(path): output differs from \(expectedFile.lastPathComponent)\n--- actual\n\(actual)")
        // The printed result must read back as the same graph.
        #expect(IRPrinter().print(try IRParser.parse(actual)) == actual)
    }

    /// Every case computes the same before and after its passes, through the reference interpreter
    /// (within 1e-5 of the largest output; the fusion passes reassociate float arithmetic).
    @Test(arguments: cases)
    func goldenCaseComputesTheSame(_ path: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
        guard let header = text.split(separator: "\n").first, header.hasPrefix("# passes:") else { return }
        let passes = header.dropFirst("# passes:".count).split(separator: ",")
            .compactMap { Pipeline.pass(named: $0.trimmingCharacters(in: .whitespaces)) }
        let graph = try IRParser.parse(text)
        var after = graph
        try Pipeline.run(passes, on: &after)
        let x = CanonicalizeTests.inputs(for: graph)
        let before = try Interpreter(graph: graph).run(x), result = try Interpreter(graph: after).run(x)
        #expect(before.map(\.type) == result.map(\.type))
        #expect(CanonicalizeTests.relativeDifference(before, result) <= 1e-5, "\(path)")
    }
}
