import Catalog
import IR

/// The optimizer's pipeline: what runs, in which order, and how a user can watch it.
public enum Pipeline {
    /// The standard pipeline, in order, for kernels built for `isa`. Each line is one named pass.
    public static func standard(isa: ISA = .avx512) -> [any Pass] {
        [
            Canonicalize(),
            FoldBatchNorm(),
            FuseSqueezeExcite(),
            FuseEpilogue(),
            FuseGatedConv(),
            SplitBatch(),
            FuseExpandDepthwise(),
            FuseDepthwiseProject(),
            DeadCodeElimination(),
            SelectKernel(isa: isa),
            PlanMemory(),
        ]
    }

    /// Every pass Kiln knows, by name (for `--passes`), with kernels for `isa`.
    public static func pass(named name: String, isa: ISA = .avx512) -> (any Pass)? {
        standard(isa: isa).first { $0.name == name }
    }

    public struct Options {
        /// Run the verifier after every pass.
        public var verifyEach = false
        /// Stop after the pass of this name.
        public var stopAfter: String?
        /// Called after each pass with its name, whether it changed the graph, and the graph.
        public var afterPass: ((String, Bool, Graph) -> Void)?

        public init(verifyEach: Bool = false, stopAfter: String? = nil, afterPass: ((String, Bool, Graph) -> Void)? = nil) {
            self.verifyEach = verifyEach
            self.stopAfter = stopAfter
            self.afterPass = afterPass
        }
    }

    /// Runs `passes` on `graph`. Errors name the pass that failed or broke the graph.
    public static func run(_ passes: [any Pass], on graph: inout Graph, options: Options = Options()) throws {
        for pass in passes {
            let changed: Bool
            do {
                changed = try pass.run(&graph)
            } catch let error as KilnError {
                throw KilnError("pass \(pass.name): \(error.description)")
            }
            if options.verifyEach {
                do {
                    try Verifier.verify(graph)
                } catch let error as KilnError {
                    throw KilnError("the graph is invalid after pass \(pass.name): \(error.description)")
                }
            }
            options.afterPass?(pass.name, changed, graph)
            if pass.name == options.stopAfter { return }
        }
    }
}
