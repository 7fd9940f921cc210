import Catalog
import Codegen
import Foundation
import IR
import Optimizer
import Testing

/// Golden tests of lowering, without `../shared`. Each `Tests/Lowering/<case>.kir` names the passes
/// to run first (`# passes: …`, kernels chosen for AVX-512); the kernel plan that lowering makes of
/// the result, printed (`KernelPlan.text`: which kernel each node calls, with every argument), must
/// equal `<case>.expected.plan`. Regenerate after a deliberate change and review the diff:
///
///     KILN_UPDATE_GOLDEN=1 swift test --filter LoweringGolden
@Suite struct LoweringGoldenTests {
    static let root = SharedData.packageRoot.appendingPathComponent("Tests/Lowering")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter { $0.hasSuffix(".kir") }.sorted()
    }

    static func plan(_ file: String) throws -> KernelPlan {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        guard let header = text.split(separator: "\n").first, header.hasPrefix("# passes:") else {
            throw KilnError("\(file) must start with '# passes: name,…'")
        }
        let passes = try header.dropFirst("# passes:".count).split(separator: ",").map { name -> any Pass in
            let name = name.trimmingCharacters(in: .whitespaces)
            guard let pass = Pipeline.pass(named: name, isa: .avx512) else { throw KilnError("unknown pass '\(name)'") }
            return pass
        }
        var graph = try IRParser.parse(text)
        try Pipeline.run(passes, on: &graph, options: .init(verifyEach: true))
        return try Lowering.lower(graph, banner: [])
    }

    @Test(arguments: cases)
    func golden(_ file: String) throws {
        let actual = try Self.plan(file).text
        let expectedFile = Self.root.appendingPathComponent(file).deletingPathExtension().appendingPathExtension("expected.plan")
        if ProcessInfo.processInfo.environment["KILN_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: expectedFile, atomically: true, encoding: .utf8)
            return
        }
        let expected = (try? String(contentsOf: expectedFile, encoding: .utf8)) ?? "(missing \(expectedFile.lastPathComponent))"
        #expect(actual == expected, "\(file): plan differs from \(expectedFile.lastPathComponent)\n--- actual\n\(actual)")
    }

    /// The golden plans between them call every kernel of the catalog.
    @Test func goldensCoverTheCatalog() throws {
        var called = Set<String>()
        for file in Self.cases {
            for function in try Self.plan(file).functions { called.formUnion(function.calls.map(\.kernel)) }
        }
        let missing = KernelCatalog.all.map(\.name).filter { !called.contains($0) }
        #expect(missing.isEmpty, "no lowering golden calls \(missing)")
    }

    /// A call with a missing or ill-typed argument is refused, naming the parameter.
    @Test func callsAreCheckedAgainstTheCatalog() throws {
        let entry = KernelCatalog.softmax
        _ = try KernelCall(entry, ["rows": .size(1), "n": .size(10), "in": .buffer(.arena(offset: 0)), "out": .buffer(.output(offset: 0))])
        #expect(throws: KilnError.self) { try KernelCall(entry, ["rows": .size(1), "n": .size(10), "in": .buffer(.arena(offset: 0))]) }
        #expect(throws: KilnError.self) {
            try KernelCall(entry, ["rows": .size(1), "n": .buffer(.arena(offset: 0)), "in": .buffer(.arena(offset: 0)), "out": .none])
        }
        #expect(throws: KilnError.self) {
            try KernelCall(entry, ["rows": .size(1), "n": .size(1), "in": .none, "out": .buffer(.output(offset: 0)), "extra": .size(0)])
        }
    }
}
