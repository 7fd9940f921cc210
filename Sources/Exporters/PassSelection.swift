import Catalog
import Foundation
import IR
import Optimizer

/// Which passes `kiln inspect` runs and what it prints between them: `--optimized` (the standard
/// pipeline), `--passes a,b,c`, `--print-after NAME`, `--print-after-all`, `--stop-after NAME`,
/// `--verify-each`. Pass names are checked up front, with the valid ones in the error.
public struct PassSelection: Sendable {
    /// Passes to run by name; nil runs the standard pipeline.
    public var passes: [String]?
    public var printAfter: [String] = []
    public var printAfterAll = false
    public var stopAfter: String?
    public var verifyEach = false
    /// The instruction set `select-kernel` chooses kernels for.
    public var isa: ISA

    public init(passes: [String]? = nil, printAfter: [String] = [], printAfterAll: Bool = false,
                stopAfter: String? = nil, verifyEach: Bool = false, isa: ISA = .avx512) {
        self.isa = isa
        self.passes = passes
        self.printAfter = printAfter
        self.printAfterAll = printAfterAll
        self.stopAfter = stopAfter
        self.verifyEach = verifyEach
    }

    /// The names `--passes` accepts, in pipeline order.
    public static var knownNames: [String] { Pipeline.standard().map(\.name) }

    /// The passes for a comma-separated list (`canonicalize,dce`); an error naming the valid passes
    /// for an unknown name.
    public static func parseList(_ list: String) throws -> [String] {
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw KilnError("--passes needs at least one pass name; valid passes: \(knownNames.joined(separator: ", "))") }
        return names
    }

    /// The passes this selection runs, checked.
    public func resolve() throws -> [any Pass] {
        let chosen: [any Pass]
        if let passes {
            chosen = try passes.map { name in
                guard let pass = Pipeline.pass(named: name, isa: isa) else {
                    throw KilnError("unknown pass '\(name)'; valid passes: \(Self.knownNames.joined(separator: ", "))")
                }
                return pass
            }
        } else {
            chosen = Pipeline.standard(isa: isa)
        }
        let names = chosen.map(\.name)
        for (flag, name) in printAfter.map({ ("--print-after", $0) }) + (stopAfter.map { [("--stop-after", $0)] } ?? [])
        where !names.contains(name) {
            let known = Self.knownNames.contains(name) ? "is not among the passes that run" : "is not a pass"
            throw KilnError("\(flag) '\(name)' \(known); the passes that run: \(names.joined(separator: ", "))")
        }
        return chosen
    }

    /// Runs the selected passes on `graph`, handing the IR text after the requested passes to
    /// `emit` (each preceded by a `# after NAME (changed|unchanged)` line). Returns the names of
    /// the passes that ran.
    @discardableResult
    public func run(on graph: inout Graph, emit: @escaping (String) -> Void) throws -> [String] {
        let passes = try resolve()
        var ran: [String] = []
        let printAfter = Set(printAfter), printAll = printAfterAll
        let options = Pipeline.Options(verifyEach: verifyEach, stopAfter: stopAfter) { name, changed, graph in
            ran.append(name)
            if printAll || printAfter.contains(name) {
                emit("# after \(name) (\(changed ? "changed" : "unchanged"))\n" + IRPrinter().print(graph))
            }
        }
        try Pipeline.run(passes, on: &graph, options: options)
        return ran
    }
}
