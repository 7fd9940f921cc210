import Foundation
import IR

/// A code generator: prints a `KernelPlan` as source files in one language and says how to build
/// them. `Compiler` does the rest (the build folder, running the compiler, the weights file), so
/// backends differ only in what they print and which compiler calls build it.
public protocol Backend: Sendable {
    /// As `--backend` names it.
    var name: String { get }
    /// Writes every source the program needs into `directory` (the generated files and the
    /// runtime and kernel sources they use) and returns how to build them there.
    func writeSources(_ plan: KernelPlan, to directory: URL, options: CompileOptions) throws -> BuildRecipe
}

/// How to build a backend's sources: compiler calls that may run in parallel, then one that links.
/// Paths are relative to the build folder; `script` is the same build as one shell command.
public struct BuildRecipe: Sendable {
    /// The calls that compile what depends on the model.
    public var compile: [[String]]
    /// The runtime's objects that are the same for every model, which `Compiler` takes from the object cache
    /// when it holds them and otherwise compiles with `compile`.
    public var reusable: [ReusableObject]
    /// Links every object of `compile` and `reusable`.
    public var link: [String]
    /// Object files `compile` leaves behind, removed after linking.
    public var intermediates: [String]
    /// The commands that rebuild the program from the sources, run in order (written as `build.sh`):
    /// one compiler call for C, the Swift compile and the link for Swift.
    public var script: [[String]]
}

extension BuildRecipe {
    /// The compiler calls for C `sources` (`command` builds one, `source.o` beside it): those depending on the
    /// model, and those of `reusable`.
    static func compiles(_ sources: [String], reusable: Set<String>, command: (String) -> [String]) -> (compile: [[String]], reusable: [ReusableObject]) {
        (sources.filter { !reusable.contains($0) }.map(command),
         sources.filter { reusable.contains($0) }.map { ReusableObject(object: $0 + ".o", command: command($0)) })
    }
}

/// An object built from kiln's embedded sources with the compiler and flags alone (`CSources.reusable`).
public struct ReusableObject: Sendable {
    /// The object file `command` writes, relative to the build folder.
    public var object: String
    public var command: [String]
}

/// The backends `--backend` offers.
public enum BackendKind: String, Sendable, CaseIterable {
    case c
    /// Swift kernels (Sources/SwiftKernels) and a printed model.swift, Embedded Swift, linked with the C runtime.
    case swift

    public func make(toolchain: Toolchain) -> any Backend {
        switch self {
        case .c: CBackend(toolchain: toolchain)
        case .swift: SwiftBackend(toolchain: toolchain)
        }
    }
}

/// Where the weights of a compiled program live.
public enum WeightsMode: String, Sendable, CaseIterable {
    /// Linked into the binary (an assembler `.incbin` of weights.bin).
    case embed
    /// Memory-mapped at start-up from a file beside the binary (`--weights external`).
    case external
}
